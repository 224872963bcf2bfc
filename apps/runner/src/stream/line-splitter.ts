import { StringDecoder } from "node:string_decoder";

/** A line longer than this is passed on in pieces (a progress bar that redraws with \r forever). */
export const MAX_LINE_CHARS = 64 * 1024;

/**
 * Turns a byte stream into lines. The decoder keeps a multi-byte character that straddles two
 * chunks whole; "\r\n" endings lose the "\r"; the last line needs no newline (see end()).
 */
export class LineSplitter {
  private readonly decoder = new StringDecoder("utf8");
  private partial = "";

  constructor(private readonly onLine: (line: string) => void) {}

  write(chunk: Buffer | string): void {
    this.partial += typeof chunk === "string" ? chunk : this.decoder.write(chunk);
    let newline = this.partial.indexOf("\n");
    while (newline >= 0) {
      this.emit(this.partial.slice(0, newline));
      this.partial = this.partial.slice(newline + 1);
      newline = this.partial.indexOf("\n");
    }
    while (this.partial.length > MAX_LINE_CHARS) {
      // Never cut between the two halves of a surrogate pair.
      const cut = isHighSurrogate(this.partial.charCodeAt(MAX_LINE_CHARS - 1)) ? MAX_LINE_CHARS - 1 : MAX_LINE_CHARS;
      this.onLine(this.partial.slice(0, cut));
      this.partial = this.partial.slice(cut);
    }
  }

  /** Flushes a last line that had no newline. */
  end(): void {
    this.partial += this.decoder.end();
    if (this.partial.length > 0) this.emit(this.partial);
    this.partial = "";
  }

  private emit(line: string): void {
    this.onLine(line.endsWith("\r") ? line.slice(0, -1) : line);
  }
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}
