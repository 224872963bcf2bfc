import { createHash, type Hash } from "node:crypto";
import { closeSync, openSync, writeSync } from "node:fs";
import { rm, stat } from "node:fs/promises";
import { ApiUnreachableError, describeError } from "@distillery/client";
import { blobRefusal } from "./blob-refusal";
import { DigestMismatchError } from "./digest-mismatch-error";
import { hashFileInto } from "./sha256-file";
import { type Answer, ConnectionError, singleBufferGet } from "./single-buffer-get";

/** The answers to a Range request that say something about the range; others are refusals (401, 404, …). */
const RANGE_ANSWERS = new Set([200, 206, 416]);

export interface BlobDownload {
  /** <api>/v1/blobs/sha256/<hex> */
  url: string;
  authorization: string;
  /** What the registry says the blob holds. */
  sizeBytes: number;
  /** Where the bytes accumulate. What is there already is taken as the blob's first bytes. */
  partialPath: string;
  /** No byte for this long: give up (the partial file stays for the next try). */
  idleTimeoutMs: number;
  signal: AbortSignal;
  /** Bytes in the partial file so far; called for every chunk (the caller throttles). */
  onProgress?: (bytesOnDisk: number) => void;
}

export interface DownloadedBytes {
  /** sha256 (hex) of every byte of the partial file. */
  hex: string;
  /** Bytes kept from an earlier try; 0 when this one started from the beginning. */
  resumedFrom: number;
  /** Bytes this call fetched. */
  fetched: number;
}

/**
 * Completes the partial file with the blob's bytes and hashes all of it. Bytes already there are
 * hashed first, then only the rest is asked for (`Range: bytes=<kept>-`); an answer that does not
 * continue exactly there (a 200, a 416, a 206 starting elsewhere) starts the file over. The caller
 * compares the digest: this only guarantees the file has `sizeBytes` bytes and which they hash to.
 * A transfer cut short or idle for too long is ApiUnreachableError, with the partial file kept.
 */
export async function downloadResumable(download: BlobDownload): Promise<DownloadedBytes> {
  let hash = createHash("sha256");
  let kept = await keptBytes(download);
  if (kept > 0) {
    const hashed = await hashFileInto(hash, download.partialPath, download.signal);
    if (hashed !== kept) throw new Error(`${download.partialPath} changed while it was read: is another pull writing it?`);
  }
  const resumedFrom = kept;
  download.onProgress?.(kept);
  if (kept === download.sizeBytes) return { hex: hash.digest("hex"), resumedFrom, fetched: 0 };

  let answer = await get(download, kept);
  if (kept > 0 && RANGE_ANSWERS.has(answer.status) && !continuesAt(answer, kept)) {
    // The server will not continue where the file stops: start it over, with this answer if it is the whole blob.
    if (answer.status !== 200) {
      answer.discard();
      answer = await get(download, 0);
    }
    kept = 0;
    hash = createHash("sha256");
  }
  if (answer.status !== 200 && answer.status !== 206) throw await blobRefusal(answer);
  const announced = announcedSize(answer);
  if (announced !== download.sizeBytes) {
    answer.discard();
    await rm(download.partialPath, { force: true });
    throw new DigestMismatchError(`the server's blob has ${announced ?? "an unknown number of"} bytes, but the registry says ${download.sizeBytes}; nothing was written`);
  }
  const fetched = await appendBody(answer, download, kept, hash);
  return { hex: hash.digest("hex"), resumedFrom: kept, fetched };
}

/** The partial file's size; a file longer than the blob cannot be its beginning and is removed. */
async function keptBytes(download: BlobDownload): Promise<number> {
  const size = await stat(download.partialPath).then(
    (info) => info.size,
    (error: NodeJS.ErrnoException) => {
      if (error.code === "ENOENT") return 0;
      throw error;
    },
  );
  if (size <= download.sizeBytes) return size;
  await rm(download.partialPath, { force: true });
  return 0;
}

async function get(download: BlobDownload, offset: number): Promise<Answer> {
  const headers: Record<string, string> = { authorization: download.authorization, "accept-encoding": "identity", "user-agent": "distillery-cli" };
  if (offset > 0) headers.range = `bytes=${offset}-`;
  try {
    return await singleBufferGet(new URL(download.url), { headers, idleTimeoutMs: download.idleTimeoutMs, signal: download.signal });
  } catch (error) {
    throw transferError(error, download);
  }
}

/** A 206 whose Content-Range starts at `offset`. */
function continuesAt(answer: Answer, offset: number): boolean {
  if (answer.status !== 206) return false;
  const range = /^bytes (\d+)-(\d+)\/(\d+)$/.exec(answer.headers["content-range"] ?? "");
  return range !== null && Number(range[1]) === offset;
}

/** The whole blob's size as the answer gives it: Content-Range's total for a 206, Content-Length for a 200. */
function announcedSize(answer: Answer): number | undefined {
  const total = answer.status === 206 ? /\/(\d+)$/.exec(answer.headers["content-range"] ?? "")?.[1] : answer.headers["content-length"];
  return total === undefined ? undefined : Number(total);
}

/**
 * Appends the body to the partial file, hashing as it goes. Each chunk is written synchronously
 * before the next read reuses its memory: the file gets it from the page cache's side at once,
 * and the process never holds more than the read buffer. More bytes than the registry's size is
 * an integrity failure at once.
 */
async function appendBody(answer: Answer, download: BlobDownload, kept: number, hash: Hash): Promise<number> {
  const fd = openSync(download.partialPath, kept > 0 ? "a" : "w");
  let received = kept;
  try {
    await answer.body((chunk) => {
      if (received + chunk.length > download.sizeBytes) {
        throw new DigestMismatchError(`the server sent more than the ${download.sizeBytes} bytes the registry records; nothing was written`);
      }
      hash.update(chunk);
      try {
        writeSync(fd, chunk);
      } catch (error) {
        throw new Error(`cannot write ${download.partialPath}: ${describeError(error)}`, { cause: error });
      }
      received += chunk.length;
      download.onProgress?.(received);
    });
  } catch (error) {
    closeSync(fd);
    if (download.signal.aborted) throw download.signal.reason;
    if (error instanceof DigestMismatchError) await rm(download.partialPath, { force: true });
    throw transferError(error, download, received);
  }
  closeSync(fd);
  if (received < download.sizeBytes) throw transferError(new ConnectionError("the connection closed early"), download, received);
  return received - kept;
}

/** A connection that failed or stopped: exit status 7, saying what is kept for the next run. Other errors pass unchanged. */
function transferError(error: unknown, download: BlobDownload, received?: number): unknown {
  if (download.signal.aborted) return download.signal.reason;
  if (!(error instanceof ConnectionError)) return error;
  const kept = received === undefined ? "" : `; ${received} of ${download.sizeBytes} bytes are kept in ${download.partialPath}: run the same command again to resume`;
  return new ApiUnreachableError(`the download from ${new URL(download.url).origin} stopped (${error.message})${kept}`, { cause: error });
}
