import { splitUtf8 } from "./utf8-chunks";

export interface LogChunkerOptions {
  /** A chunk never exceeds this many UTF-8 bytes; reaching it flushes at once. Default 64 KiB. */
  maxBytes?: number;
  /** Text waits at most this long before it is flushed. Default 500 ms. */
  maxDelayMs?: number;
}

/**
 * Collects log text and hands it on as chunks tagged with their UTF-8 byte offset in the run's
 * log, each chunk starting where the previous one ended.
 */
export class LogChunker {
  private buffered = "";
  private bufferedBytes = 0;
  private nextOffset: number;
  private timer: NodeJS.Timeout | undefined;
  private readonly maxBytes: number;
  private readonly maxDelayMs: number;

  constructor(
    startOffset: number,
    private readonly emit: (offset: number, text: string) => void,
    options: LogChunkerOptions = {},
  ) {
    this.nextOffset = startOffset;
    this.maxBytes = options.maxBytes ?? 64 * 1024;
    this.maxDelayMs = options.maxDelayMs ?? 500;
  }

  /** The offset the next chunk will start at (everything appended so far, flushed or not). */
  get offset(): number {
    return this.nextOffset + this.bufferedBytes;
  }

  append(text: string): void {
    if (text.length === 0) return;
    this.buffered += text;
    this.bufferedBytes += Buffer.byteLength(text, "utf8");
    if (this.bufferedBytes >= this.maxBytes) this.flush();
    else this.timer ??= setTimeout(() => this.flush(), this.maxDelayMs);
  }

  flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.buffered.length === 0) return;
    const text = this.buffered;
    this.buffered = "";
    this.bufferedBytes = 0;
    for (const piece of splitUtf8(text, this.maxBytes)) {
      this.emit(this.nextOffset, piece.text);
      this.nextOffset += piece.bytes;
    }
  }
}
