import { createHash, randomBytes } from "node:crypto";
import { createReadStream, createWriteStream } from "node:fs";
import { mkdir, rename, rm, stat } from "node:fs/promises";
import * as http from "node:http";
import * as https from "node:https";
import { dirname } from "node:path";
import { pipeline } from "node:stream/promises";
import { describeError } from "./describe-error";
import { ApiError, ApiUnreachableError } from "./api-error";

/** An upload that moves no byte either way for this long is cut (and may be tried again). */
const DEFAULT_IDLE_TIMEOUT_MS = 60_000;
/** The answer to a PUT (or a refused GET) is a small JSON object; anything longer is not read further. */
const MAX_RESPONSE_CHARS = 64 * 1024;

export interface UploadedBlob {
  /** False when the API had the blob already (200); true when this upload stored it (201). */
  created: boolean;
  sizeBytes: number;
}

export interface DownloadedBlob {
  sizeBytes: number;
}

interface BlobErrorBody {
  error?: { code?: string; reason?: string; message?: string; details?: Record<string, unknown> };
}

/**
 * `PUT` and `GET <api>/v1/blobs/sha256/<hex>` with the runner's token. The file is streamed from disk,
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
  /**
   * `GET <api>/v1/blobs/sha256/<hex>` into `destination`. The bytes are streamed to a temporary file
   * beside it while they are hashed, and renamed into place only once they hash to `hex` (and
   * their count is the Content-Length): `destination` is the whole blob or absent, never part of
   * one. One try per call, failures sorted as put's: a transfer cut short or that hashes wrong is
   * ApiUnreachableError (another try may do better); a file that cannot be written is a plain Error.
   */
  async download(hex: string, destination: string, signal?: AbortSignal): Promise<DownloadedBlob> {
    if (signal?.aborted) throw signal.reason;
    await mkdir(dirname(destination), { recursive: true });
    const temporary = `${destination}.${process.pid}-${randomBytes(6).toString("hex")}.part`;
    try {
      const sizeBytes = await this.fetchInto(hex, temporary, signal);
      await rename(temporary, destination);
      return { sizeBytes };
    } catch (error) {
      await rm(temporary, { force: true }).catch(() => undefined);
      throw error;
    }
  }

  private fetchInto(hex: string, path: string, signal: AbortSignal | undefined): Promise<number> {
    const url = new URL(`${this.apiUrl}/v1/blobs/sha256/${hex}`);
    const transport = url.protocol === "https:" ? https : http;
    return new Promise<number>((resolve, reject) => {
      let settled = false;
      // Once the body is being written, a failure waits for the file to be closed, so the caller
      // can remove it.
      let piping: Promise<unknown> = Promise.resolve();
      const settle = (error: unknown, size?: number) => {
        if (settled) return;
        settled = true;
        if (error !== undefined) {
          request.destroy();
          void piping.then(() => reject(signal?.aborted ? signal.reason : error));
        } else resolve(size as number);
      };
      const request = transport.get(url, { headers: { authorization: this.authorization() }, ...(signal ? { signal } : {}) });
      request.setTimeout(this.idleTimeoutMs, () => request.destroy(new Error(`no progress for ${this.idleTimeoutMs / 1000} s`)));
      request.on("error", (error) => settle(new ApiUnreachableError(`blob download: ${describeError(error)}`, { cause: error })));
      request.on("response", (response) => {
        const status = response.statusCode ?? 0;
        if (status !== 200) {
          let text = "";
          response.setEncoding("utf8");
          response.on("data", (chunk: string) => {
            if (text.length < MAX_RESPONSE_CHARS) text += chunk;
          });
          response.on("error", (error) => settle(new ApiUnreachableError(`blob download: ${describeError(error)}`, { cause: error })));
          response.on("end", () => settle(refusal("blob download", status, text)));
          return;
        }
        const declared = response.headers["content-length"] === undefined ? undefined : Number(response.headers["content-length"]);
        const hash = createHash("sha256");
        let size = 0;
        let fileError: unknown;
        const file = createWriteStream(path, { flags: "wx" });
        file.on("error", (error) => (fileError ??= error));
        const piped = pipeline(
          response,
          async function* (chunks: AsyncIterable<Buffer>) {
            for await (const chunk of chunks) {
              size += chunk.length;
              hash.update(chunk);
              yield chunk;
            }
          },
          file,
        );
        piping = piped.catch(() => undefined);
        piped.then(
          () => {
            const actual = hash.digest("hex");
            if (declared !== undefined && size !== declared) settle(new ApiUnreachableError(`blob download: got ${size} of ${declared} bytes`));
            else if (actual !== hex) settle(new ApiUnreachableError(`blob download: the bytes hash to sha256:${actual}, not sha256:${hex}`));
            else settle(undefined, size);
          },
          (error: unknown) => {
            // A file that cannot be written is this machine's problem, not the API's: no retry helps.
            if (fileError !== undefined) settle(new Error(`cannot write ${path}: ${describeError(fileError)}`, { cause: fileError }));
            else settle(new ApiUnreachableError(`blob download: ${describeError(error)}`, { cause: error }));
          },
        );
      });
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
  throw refusal("blob upload", status, text);
}

/** What a blob route's error answer means: may pass (5xx, 429, 408), or an ApiError with the API's code and reason. */
function refusal(what: string, status: number, text: string): Error {
  if (status >= 500 || status === 429 || status === 408) return new ApiUnreachableError(`${what}: HTTP ${status}`);
  let body: BlobErrorBody | undefined;
  try {
    body = JSON.parse(text) as BlobErrorBody;
  } catch {
    body = undefined;
  }
  const error = body?.error ?? {};
  const code = error.code ?? (status === 401 ? "UNAUTHENTICATED" : status === 403 ? "FORBIDDEN" : status === 404 ? "NOT_FOUND" : "BAD_RESPONSE");
  return new ApiError(`${what}: ${error.message ?? `HTTP ${status}`}`, code, error.reason ?? code, error.details ?? {}, status);
}
