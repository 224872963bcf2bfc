import { DomainError } from "@distillery/domain";
import type { ByteRange } from "@distillery/blobstore";

/**
 * Parses a single-range `Range: bytes=…` header against a blob of `size` bytes.
 * Returns null when the whole blob should be sent (no header, several ranges, or a unit other
 * than bytes, which RFC 9110 §14.2 says to ignore).
 */
export function parseByteRange(header: string | undefined, size: number): ByteRange | null {
  if (!header) return null;
  if (!/^bytes=/.test(header.trim())) return null;
  const match = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!match) {
    if (/^bytes=.*,/.test(header)) return null;
    throw new DomainError("RANGE_NOT_SATISFIABLE", `Unsupported Range "${header}"`, { size });
  }
  const [, first, last] = match;
  let start: number;
  let end: number;
  if (first === "" && last === "") throw new DomainError("RANGE_NOT_SATISFIABLE", `Empty Range "${header}"`, { size });
  if (first === "") {
    start = Math.max(0, size - Number(last));
    end = size - 1;
  } else {
    start = Number(first);
    end = last === "" ? size - 1 : Math.min(Number(last), size - 1);
  }
  if (start > end || start >= size) {
    throw new DomainError("RANGE_NOT_SATISFIABLE", `Range "${header}" is outside a blob of ${size} bytes`, { size });
  }
  return { start, end };
}
