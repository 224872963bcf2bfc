import { describe, expect, it } from "vitest";
import { formatDigest, parseDigest } from "./digest";

describe("digests", () => {
  const hex = "ab".repeat(32);
  it("round-trips sha256:<hex>", () => {
    expect(parseDigest(formatDigest(hex))).toBe(hex);
  });
  it.each([hex, `sha256:${hex.toUpperCase()}`, `sha256:${hex.slice(1)}`, `md5:${hex}`, "sha256:"])("refuses %s", (value) => {
    expect(() => parseDigest(value)).toThrow(/sha256:<64 lower-case hex digits>/);
  });
});
