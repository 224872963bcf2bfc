import { randomUUID } from "node:crypto";
import { createReadStream, createWriteStream } from "node:fs";
import { mkdir, open, readdir, rename, stat, unlink } from "node:fs/promises";
import { join } from "node:path";
import type { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { DomainError, parseHexDigest } from "@distillery/domain";
import type { BlobStat, BlobStore, ByteRange, PutOptions, PutResult } from "./blob-store";
import { HashingCounter } from "./hashing-counter";

/** How much one read of a blob file takes from disk. */
const READ_CHUNK_BYTES = 1024 * 1024;

/**
 * Blobs as files named by their full digest, sharded by the first two hex digits:
 * `<root>/sha256/ab/abcdef…`. Uploads land in `<root>/incoming/` (same filesystem) and are
 * renamed into place only after the digest checks out and the bytes are fsynced.
 */
export class LocalBlobStore implements BlobStore {
  private readonly incomingDir: string;

  private constructor(private readonly root: string) {
    this.incomingDir = join(root, "incoming");
  }

  static async open(root: string): Promise<LocalBlobStore> {
    const store = new LocalBlobStore(root);
    await mkdir(store.incomingDir, { recursive: true });
    await mkdir(join(root, "sha256"), { recursive: true });
    return store;
  }

  private pathOf(hex: string): string {
    parseHexDigest(hex);
    return join(this.root, "sha256", hex.slice(0, 2), hex);
  }

  async put(content: Readable, options: PutOptions): Promise<PutResult> {
    const target = this.pathOf(options.expectedHex);
    // The writer's pid in the name lets a restarted server tell a dead upload from a live one.
    const temporary = join(this.incomingDir, `${process.pid}-${randomUUID()}.part`);
    const counter = new HashingCounter(options.maxBytes);
    const sink = createWriteStream(temporary, { flags: "wx" });
    try {
      await pipeline(content, counter, sink);
      if (counter.overflowed) {
        throw new DomainError("BLOB_TOO_LARGE", `Blob exceeds the limit of ${options.maxBytes} bytes`, { maxBytes: options.maxBytes });
      }
      const actualHex = counter.hexDigest();
      if (actualHex !== options.expectedHex) {
        throw new DomainError("DIGEST_MISMATCH", `Content hashes to sha256:${actualHex}, not sha256:${options.expectedHex}`, {
          expected: `sha256:${options.expectedHex}`,
          actual: `sha256:${actualHex}`,
        });
      }
      const existing = await this.stat(options.expectedHex);
      if (existing) {
        await unlink(temporary);
        return { ...existing, created: false };
      }
      await fsyncFile(temporary);
      await mkdir(join(target, ".."), { recursive: true });
      await rename(temporary, target);
      return { hex: actualHex, size: counter.bytes, created: true };
    } catch (error) {
      // pipeline() can reject before the sink has even opened its file; unlinking then would
      // race the open and leave the file behind, so wait for the sink to be closed first.
      if (!sink.closed) await new Promise<void>((resolve) => sink.once("close", () => resolve()));
      await unlink(temporary).catch(() => undefined);
      throw error;
    }
  }

  async stat(hex: string): Promise<BlobStat | null> {
    try {
      const info = await stat(this.pathOf(hex));
      return { hex, size: info.size };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return null;
      throw error;
    }
  }

  async read(hex: string, range?: ByteRange): Promise<Readable> {
    const found = await this.stat(hex);
    if (!found) throw new DomainError("BLOB_NOT_FOUND", `No blob sha256:${hex}`, { digest: `sha256:${hex}` });
    // 1 MiB reads instead of the default 64 KiB: sending a model costs the API 2-3x less CPU
    // (measured by tests/bench/pull.ts), and the buffer is per download, not per byte.
    return createReadStream(this.pathOf(hex), { highWaterMark: READ_CHUNK_BYTES, ...(range ? { start: range.start, end: range.end } : {}) });
  }

  /** Removes uploads whose writing process is gone, and any older than `olderThanMs`. */
  async sweepIncomplete(olderThanMs: number): Promise<number> {
    let removed = 0;
    for (const name of await readdir(this.incomingDir)) {
      const path = join(this.incomingDir, name);
      const info = await stat(path).catch(() => null);
      if (info && (!writerIsAlive(name) || Date.now() - info.mtimeMs >= olderThanMs)) {
        await unlink(path).catch(() => undefined);
        removed += 1;
      }
    }
    return removed;
  }
}

/** Files not named `<pid>-….part` count as alive: only age decides for them. */
function writerIsAlive(name: string): boolean {
  const pid = Number(/^(\d+)-/.exec(name)?.[1]);
  if (!Number.isSafeInteger(pid) || pid <= 0) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code !== "ESRCH";
  }
}

async function fsyncFile(path: string): Promise<void> {
  const handle = await open(path, "r");
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
