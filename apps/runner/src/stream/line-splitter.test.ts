import { describe, expect, it } from "vitest";
import { LineSplitter, MAX_LINE_CHARS } from "./line-splitter";

function split(chunks: Array<Buffer | string>): string[] {
  const lines: string[] = [];
  const splitter = new LineSplitter((line) => lines.push(line));
  for (const chunk of chunks) splitter.write(chunk);
  splitter.end();
  return lines;
}

describe("LineSplitter", () => {
  it("splits on newlines across chunks, drops \\r of CRLF, and keeps a last line without newline", () => {
    expect(split(["a\nb", "c\r\nd\n\n", "tail"])).toEqual(["a", "bc", "d", "", "tail"]);
  });

  it("keeps a multi-byte character that is split between two chunks", () => {
    const bytes = Buffer.from("héllo 🦀\n", "utf8");
    const chunks = Array.from(bytes, (byte) => Buffer.from([byte]));
    expect(split(chunks)).toEqual(["héllo 🦀"]);
  });

  it("passes a line that never ends on in pieces, without breaking a surrogate pair", () => {
    const text = `${"x".repeat(MAX_LINE_CHARS - 1)}🦀${"y".repeat(10)}`;
    const lines = split([text]);
    expect(lines.join("")).toBe(text);
    expect(lines[0]).toBe("x".repeat(MAX_LINE_CHARS - 1));
    expect(lines.every((line) => line.length <= MAX_LINE_CHARS)).toBe(true);
  });
});
