import { DomainError } from "./errors";

const HEX_DIGEST = /^[0-9a-f]{64}$/;

/** Blob digests travel as `sha256:<64 lower-case hex>` in the API, bare hex in blob URLs. */
export function parseDigest(value: string): string {
  const hex = value.startsWith("sha256:") ? value.slice("sha256:".length) : null;
  if (hex === null || !HEX_DIGEST.test(hex)) {
    throw new DomainError("INVALID_DIGEST", `Digest must look like sha256:<64 lower-case hex digits>, got "${value}"`, {
      digest: value,
    });
  }
  return hex;
}

export function parseHexDigest(hex: string): string {
  if (!HEX_DIGEST.test(hex)) {
    throw new DomainError("INVALID_DIGEST", `Digest must be 64 lower-case hex digits, got "${hex}"`, { digest: hex });
  }
  return hex;
}

export function formatDigest(hex: string): string {
  return `sha256:${hex}`;
}
