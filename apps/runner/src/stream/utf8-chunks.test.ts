import { describe, expect, it } from "vitest";
import { splitUtf8 } from "./utf8-chunks";

describe("splitUtf8", () => {
  it("keeps ASCII pieces at exactly maxBytes", () => {
    expect(splitUtf8("abcdefghij", 4)).toEqual([
      { text: "abcd", bytes: 4 },
      { text: "efgh", bytes: 4 },
      { text: "ij", bytes: 2 },
    ]);
  });

  it("never cuts a multi-byte character, and the byte counts add up to the UTF-8 length", () => {
    // é: 2 bytes, ✓: 3 bytes, 🦀: 4 bytes (a surrogate pair in JS).
    const text = "aé✓🦀".repeat(50);
    for (const maxBytes of [4, 5, 6, 7, 64]) {
      const pieces = splitUtf8(text, maxBytes);
      expect(pieces.map((piece) => piece.text).join("")).toBe(text);
      for (const piece of pieces) {
        expect(piece.bytes).toBeLessThanOrEqual(maxBytes);
        expect(Buffer.byteLength(piece.text, "utf8")).toBe(piece.bytes);
        expect(piece.text).not.toContain("\uFFFD");
      }
      expect(pieces.reduce((sum, piece) => sum + piece.bytes, 0)).toBe(Buffer.byteLength(text, "utf8"));
    }
  });

  it("counts a lone surrogate as the 3-byte replacement character it becomes on the wire", () => {
    expect(splitUtf8("a\uD800b", 64)).toEqual([{ text: "a\uFFFDb", bytes: 5 }]);
  });

  it("returns nothing for empty text and refuses a limit below one character", () => {
    expect(splitUtf8("", 8)).toEqual([]);
    expect(() => splitUtf8("x", 3)).toThrow(RangeError);
  });
});
