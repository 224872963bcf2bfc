import type { Readable } from "node:stream";

export interface BlobStat {
  /** 64 lower-case hex digits of the sha256 of the content. */
  hex: string;
  size: number;
}

export interface PutOptions {
  /** The digest the client promised; the store refuses content that hashes differently. */
  expectedHex: string;
  /** Bytes beyond this abort the upload with BLOB_TOO_LARGE. */
  maxBytes: number;
}

export interface PutResult extends BlobStat {
  /** False when the blob was already stored: puts are idempotent. */
  created: boolean;
}

export interface ByteRange {
  start: number;
  /** Inclusive, as in HTTP Range. */
  end: number;
}

/**
 * Content-addressed storage. A blob becomes visible only once complete and verified, so a
 * reader never sees a partial file, whatever happens to the writer.
 */
export interface BlobStore {
  put(content: Readable, options: PutOptions): Promise<PutResult>;
  stat(hex: string): Promise<BlobStat | null>;
  read(hex: string, range?: ByteRange): Promise<Readable>;
  /** Removes leftovers of uploads that died; safe to call at start. */
  sweepIncomplete(olderThanMs: number): Promise<number>;
}
