import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import * as http from "node:http";
import * as https from "node:https";
import { describeError } from "../log/logger";
import { ApiError, ApiUnreachableError } from "./api-error";

/** An upload that moves no byte either way for this long is cut (and may be tried again). */
const DEFAULT_IDLE_TIMEOUT_MS = 60_000;
/** The answer to a PUT is a small JSON object; anything longer is not read further. */
const MAX_RESPONSE_CHARS = 64 * 1024;

export interface UploadedBlob {
  /** False when the API had the blob already (200); true when this upload stored it (201). */
  created: boolean;
  sizeBytes: number;
}

interface BlobErrorBody {
  error?: { code?: string; reason?: string; message?: string; details?: Record<string, unknown> };
}

/**
 * `PUT <api>/v1/blobs/sha256/<hex>` with the runner's token. The file is streamed from disk,
 * never held in memory; the API stores it only if its bytes hash to `hex`. One try per call:
 * failures that may pass (connection refused or reset, an idle timeout, 408/429/5xx) are
 * ApiUnreachableError, a refusal (bad token, wrong digest, too large) is an ApiError, like the
 * GraphQL client's, so callers retry both kinds of call the same way.
 */
export class BlobClient {
  constructor(
    private readonly apiUrl: string,
    private readonly authorization: () => string,
    private readonly idleTimeoutMs = DEFAULT_IDLE_TIMEOUT_MS,
  ) {}

  async put(hex: string, path: string, signal?: AbortSignal): Promise<UploadedBlob> {
    const { size } = await stat(path);
    if (signal?.aborted) throw signal.reason;
    const url = new URL(`${this.apiUrl}/v1/blobs/sha256/${hex}`);
    const transport = url.protocol === "https:" ? https : http;
    return new Promise<UploadedBlob>((resolve, reject) => {
      let settled = false;
      const settle = (error: unknown, value?: UploadedBlob) => {
        if (settled) return;
        settled = true;
        file.destroy();
        if (error !== undefined) {
          request.destroy();
          reject(error);
        } else resolve(value as UploadedBlob);
      };
      const request = transport.request(url, {
        method: "PUT",
        headers: { authorization: this.authorization(), "content-type": "application/octet-stream", "content-length": size },
        ...(signal ? { signal } : {}),
      });
      const file = createReadStream(path);
      request.setTimeout(this.idleTimeoutMs, () => request.destroy(new Error(`no progress for ${this.idleTimeoutMs / 1000} s`)));
      request.on("error", (error) => {
        if (signal?.aborted) return settle(signal.reason);
        settle(new ApiUnreachableError(`blob upload: ${describeError(error)}`, { cause: error }));
      });
      // A file that cannot be read is this machine's problem, not the API's: no retry helps.
      file.on("error", (error) => settle(new Error(`cannot read ${path}: ${describeError(error)}`, { cause: error })));
      // The answer may come before the body is sent (a refused token): it wins over the broken pipe that follows.
      request.on("response", (response) => {
        let text = "";
        response.setEncoding("utf8");
        response.on("data", (chunk: string) => {
          if (text.length < MAX_RESPONSE_CHARS) text += chunk;
        });
        response.on("error", (error) => settle(new ApiUnreachableError(`blob upload: ${describeError(error)}`, { cause: error })));
        response.on("end", () => {
          try {
            settle(undefined, interpret(response.statusCode ?? 0, text, size));
          } catch (error) {
            settle(error);
          }
        });
      });
      file.pipe(request);
    });
  }
}

function interpret(status: number, text: string, size: number): UploadedBlob {
  let body: (BlobErrorBody & { created?: unknown; sizeBytes?: unknown }) | undefined;
  try {
    body = JSON.parse(text) as typeof body;
  } catch {
    body = undefined;
  }
  if (status === 200 || status === 201) {
    return { created: status === 201, sizeBytes: typeof body?.sizeBytes === "number" ? body.sizeBytes : size };
  }
  if (status >= 500 || status === 429 || status === 408) throw new ApiUnreachableError(`blob upload: HTTP ${status}`);
  const error = body?.error ?? {};
  const code = error.code ?? (status === 401 ? "UNAUTHENTICATED" : status === 403 ? "FORBIDDEN" : "BAD_RESPONSE");
  throw new ApiError(`blob upload: ${error.message ?? `HTTP ${status}`}`, code, error.reason ?? code, error.details ?? {}, status);
}
