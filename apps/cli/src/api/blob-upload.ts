import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import * as http from "node:http";
import * as https from "node:https";

/** The answer to a PUT is a small JSON object; anything longer is not read further. */
const MAX_RESPONSE_CHARS = 64 * 1024;
/** An upload that moves no byte either way for this long is cut. */
const IDLE_TIMEOUT_MS = 60_000;

export interface UploadedBlob {
  /** False when the API had the blob already (200). */
  created: boolean;
  sizeBytes: number;
}

/**
 * PUT <api>/v1/blobs/sha256/<hex>: the file streamed from disk with its Content-Length, never held
 * in memory; the API keeps it only if its bytes hash to `hex`. Throws with the API's message.
 */
export async function uploadBlob(apiUrl: string, token: string, hex: string, path: string): Promise<UploadedBlob> {
  const { size } = await stat(path);
  const url = new URL(`${apiUrl.replace(/\/+$/, "")}/v1/blobs/sha256/${hex}`);
  const transport = url.protocol === "https:" ? https : http;
  return new Promise<UploadedBlob>((resolve, reject) => {
    let settled = false;
    const file = createReadStream(path);
    const settle = (error: Error | undefined, value?: UploadedBlob) => {
      if (settled) return;
      settled = true;
      file.destroy();
      if (error) {
        request.destroy();
        reject(error);
      } else resolve(value as UploadedBlob);
    };
    const request = transport.request(url, {
      method: "PUT",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/octet-stream", "content-length": size },
    });
    request.setTimeout(IDLE_TIMEOUT_MS, () => settle(new Error(`the upload to ${url.origin} moved no byte for ${IDLE_TIMEOUT_MS / 1000} s`)));
    request.on("error", (error) => settle(new Error(`cannot upload to ${url.origin}: ${error.message}`)));
    request.on("response", (response) => {
      let text = "";
      response.setEncoding("utf8");
      response.on("data", (chunk: string) => {
        if (text.length < MAX_RESPONSE_CHARS) text += chunk;
      });
      response.on("error", (error) => settle(new Error(`cannot upload to ${url.origin}: ${error.message}`)));
      response.on("end", () => {
        const status = response.statusCode ?? 0;
        let body: { sizeBytes?: number; created?: boolean; error?: { reason?: string; message?: string } } = {};
        try {
          body = JSON.parse(text);
        } catch {
          // Not JSON (a proxy's page): the status says enough.
        }
        if (status === 200 || status === 201) return settle(undefined, { created: status === 201, sizeBytes: body.sizeBytes ?? size });
        const why = body.error?.message ? `${body.error.message}${body.error.reason ? ` (${body.error.reason})` : ""}` : text.trim().slice(0, 200);
        settle(new Error(`the API refused the upload: HTTP ${status}${why ? `: ${why}` : ""}`));
      });
    });
    file.on("error", (error) => settle(new Error(`cannot read ${path}: ${error.message}`)));
    file.pipe(request);
  });
}
