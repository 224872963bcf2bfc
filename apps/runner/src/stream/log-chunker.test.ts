import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { LogChunker } from "./log-chunker";

describe("LogChunker", () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  function chunker(startOffset = 0, maxBytes = 16) {
    const chunks: Array<[number, string]> = [];
    const instance = new LogChunker(startOffset, (offset, text) => chunks.push([offset, text]), { maxBytes, maxDelayMs: 500 });
    return { instance, chunks };
  }

  it("flushes 500 ms after the first buffered text, tagging each chunk with its byte offset", () => {
    const { instance, chunks } = chunker(100);
    instance.append("héllo\n");
    instance.append("wörld\n");
    vi.advanceTimersByTime(499);
    expect(chunks).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(chunks).toEqual([[100, "héllo\nwörld\n"]]);
    instance.append("✓\n");
    vi.advanceTimersByTime(500);
    expect(chunks).toEqual([
      [100, "héllo\nwörld\n"],
      [114, "✓\n"],
    ]);
    expect(instance.offset).toBe(118);
  });

  it("flushes at once when the buffer reaches maxBytes, in pieces that respect characters", () => {
    const { instance, chunks } = chunker(0, 16);
    instance.append("✓".repeat(7)); // 21 bytes
    expect(chunks).toEqual([
      [0, "✓".repeat(5)],
      [15, "✓".repeat(2)],
    ]);
    expect(instance.offset).toBe(21);
  });

  it("offsets stay contiguous across many appends and flushes", () => {
    const { instance, chunks } = chunker(0, 16);
    const lines = Array.from({ length: 40 }, (_, index) => `${index}: ünïcødé 🦀\n`);
    lines.forEach((line, index) => {
      instance.append(line);
      if (index % 7 === 0) vi.advanceTimersByTime(500);
    });
    instance.flush();
    let expected = 0;
    for (const [offset, text] of chunks) {
      expect(offset).toBe(expected);
      expected += Buffer.byteLength(text, "utf8");
    }
    expect(chunks.map(([, text]) => text).join("")).toBe(lines.join(""));
    expect(instance.offset).toBe(Buffer.byteLength(lines.join(""), "utf8"));
  });

  it("does nothing on an empty flush", () => {
    const { instance, chunks } = chunker();
    instance.flush();
    instance.append("");
    vi.advanceTimersByTime(1000);
    expect(chunks).toEqual([]);
  });
});
