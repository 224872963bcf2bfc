import { createHash, type Hash } from "node:crypto";
import { createReadStream } from "node:fs";

/** Big reads: hashing a model runs at the speed of sha256, not of 64 KiB read calls. */
const READ_CHUNK_BYTES = 1024 * 1024;

/** Streams the file's bytes into `hash` (memory stays at one chunk, whatever the file's size); resolves to how many there were. */
export async function hashFileInto(hash: Hash, path: string, signal?: AbortSignal): Promise<number> {
  let size = 0;
  for await (const chunk of createReadStream(path, { highWaterMark: READ_CHUNK_BYTES, ...(signal ? { signal } : {}) })) {
    hash.update(chunk as Buffer);
    size += (chunk as Buffer).length;
  }
  return size;
}

/** The file's sha256 (hex) and size, read once. */
export async function sha256File(path: string, signal?: AbortSignal): Promise<{ hex: string; size: number }> {
  const hash = createHash("sha256");
  const size = await hashFileInto(hash, path, signal);
  return { hex: hash.digest("hex"), size };
}
