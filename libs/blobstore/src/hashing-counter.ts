import { createHash, type Hash } from "node:crypto";
import { Transform, type TransformCallback } from "node:stream";

/**
 * Passes bytes through while hashing and counting them. Past `maxBytes` it stops passing bytes
 * on but keeps consuming the source, so an HTTP server can still answer 413 on a live
 * connection once the client has finished sending.
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
      callback();
      return;
    }
    this.hash.update(chunk);
    callback(null, chunk);
  }

  hexDigest(): string {
    return this.hash.digest("hex");
  }
}
