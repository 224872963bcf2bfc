import { createHash, type Hash } from "node:crypto";
import { Transform, type TransformCallback } from "node:stream";
import { DomainError } from "@distillery/domain";

/** How much past the limit a source is drained before the upload is cut off instead. */
export const OVERFLOW_DRAIN_BYTES = 64 * 1024 * 1024;

/**
 * Passes bytes through while hashing and counting them. Past `maxBytes` it stops passing bytes
 * on but keeps consuming the source, so an HTTP server can still answer 413 on a live
 * connection once the client has finished sending; a source that goes on for more than
 * OVERFLOW_DRAIN_BYTES beyond the limit is failed, which closes the connection.
 */
export class HashingCounter extends Transform {
  private readonly hash: Hash = createHash("sha256");
  bytes = 0;

  constructor(private readonly maxBytes: number) {
    super();
  }

  get overflowed(): boolean {
    return this.bytes > this.maxBytes;
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.bytes += chunk.length;
    if (this.overflowed) {
      const drainedTooLong = this.bytes - this.maxBytes > OVERFLOW_DRAIN_BYTES;
      callback(drainedTooLong ? new DomainError("BLOB_TOO_LARGE", `Blob exceeds the limit of ${this.maxBytes} bytes`, { maxBytes: this.maxBytes }) : undefined);
      return;
    }
    this.hash.update(chunk);
    callback(null, chunk);
  }

  hexDigest(): string {
    return this.hash.digest("hex");
  }
}
