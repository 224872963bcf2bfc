import * as net from "node:net";
import * as tls from "node:tls";
import { describeError } from "@distillery/client";

/** Every read of the socket lands in one buffer of this size, reused for the whole download. */
const READ_BUFFER_BYTES = 1024 * 1024;
const MAX_HEADER_BYTES = 64 * 1024;

/** The connection failed, went silent, or closed early: the server or the network, not this machine. */
export class ConnectionError extends Error {}

export interface GetOptions {
  headers: Record<string, string>;
  /** No byte for this long: the connection is given up (ConnectionError). */
  idleTimeoutMs: number;
  signal: AbortSignal;
}

export interface Answer {
  status: number;
  /** Lower-case names. */
  headers: Record<string, string>;
  /**
   * Streams the body to `consume`, which must be done with each chunk before it returns: the
   * chunk's memory is the read buffer, overwritten by the next read. Resolves at the body's end;
   * rejects with what `consume` threw, a ConnectionError, or the signal's reason.
   */
  body(consume: (chunk: Buffer) => void): Promise<void>;
  /** Closes the connection without reading the body. */
  discard(): void;
}

/**
 * A GET over HTTP/1.1 whose body is read into a single reused buffer (net's and tls's `onread`).
 * Node's http client allocates a fresh buffer per socket read, and a gigabyte of them lingers
 * until the garbage collector's next turn, tens of megabytes of RSS; here memory stays at one
 * buffer, however big the blob, and every byte is copied once less. Bodies with Content-Length,
 * chunked bodies and bodies that end with the connection are understood; `connection: close`
 * is asked for, so one socket serves one answer.
 */
export function singleBufferGet(url: URL, options: GetOptions): Promise<Answer> {
  const buffer = Buffer.allocUnsafe(READ_BUFFER_BYTES);
  let head: Buffer | undefined = Buffer.alloc(0);
  let decoder: BodyDecoder | undefined;
  let consume: ((chunk: Buffer) => void) | undefined;
  let leftover: Buffer | undefined;
  let answered: (answer: Answer) => void;
  let failed: (error: unknown) => void;
  let bodyEnded: () => void;
  let bodyFailed: (error: unknown) => void;
  const answer = new Promise<Answer>((resolve, reject) => ((answered = resolve), (failed = reject)));
  const ended = new Promise<void>((resolve, reject) => ((bodyEnded = resolve), (bodyFailed = reject)));
  ended.catch(() => undefined); // observed through body(); a discarded answer's end is nobody's concern

  const onRead = (size: number, readInto: Uint8Array): boolean => {
    const bytes = Buffer.from(readInto.buffer, readInto.byteOffset, size);
    if (decoder === undefined) return readHead(bytes);
    feed(bytes);
    return true;
  };
  const port = Number(url.port) || (url.protocol === "https:" ? 443 : 80);
  const host = url.hostname.replace(/^\[|\]$/g, "");
  const onread = { buffer, callback: onRead };
  const socket: net.Socket =
    url.protocol === "https:"
      ? tls.connect({ host, port, servername: net.isIP(host) ? undefined : host, onread } as tls.ConnectionOptions)
      : net.connect({ host, port, onread });
  socket.once(url.protocol === "https:" ? "secureConnect" : "connect", () => {
    const lines = [`GET ${url.pathname}${url.search} HTTP/1.1`, `host: ${url.host}`, "connection: close", ...Object.entries(options.headers).map(([name, value]) => `${name}: ${value}`)];
    socket.write(`${lines.join("\r\n")}\r\n\r\n`);
  });
  socket.setTimeout(options.idleTimeoutMs, () => socket.destroy(new ConnectionError(`no bytes for ${options.idleTimeoutMs / 1000} s`)));
  const abort = () => socket.destroy(options.signal.reason as Error);
  options.signal.addEventListener("abort", abort, { once: true });
  socket.on("error", (error) => fail(error));
  socket.on("close", () => {
    options.signal.removeEventListener("abort", abort);
    if (decoder?.endsWithConnection && !options.signal.aborted) return bodyEnded();
    fail(new ConnectionError(decoder ? `the connection closed ${decoder.progress()}` : "the connection closed before an answer"));
  });
  if (options.signal.aborted) abort();
  return answer;

  function fail(error: unknown) {
    const reason = options.signal.aborted ? options.signal.reason : error instanceof ConnectionError || consumerFailed(error) ? error : new ConnectionError(describeError(error), { cause: error });
    failed(reason);
    bodyFailed(reason);
  }

  function consumerFailed(error: unknown): boolean {
    return (error as { fromConsumer?: boolean } | null)?.fromConsumer === true;
  }

  /** Collects the status line and headers; the bytes after them wait (copied) until body() is called. */
  function readHead(bytes: Buffer): boolean {
    head = Buffer.concat([head!, bytes]);
    const end = head.indexOf("\r\n\r\n");
    if (end < 0) {
      if (head.length > MAX_HEADER_BYTES) socket.destroy(new ConnectionError(`no end of the headers in ${MAX_HEADER_BYTES} bytes`));
      return true;
    }
    const [statusLine = "", ...headerLines] = head.subarray(0, end).toString("latin1").split("\r\n");
    const status = /^HTTP\/1\.[01] (\d{3})/.exec(statusLine)?.[1];
    if (status === undefined) {
      socket.destroy(new ConnectionError(`not an HTTP answer: ${JSON.stringify(statusLine.slice(0, 80))}`));
      return false;
    }
    const headers: Record<string, string> = {};
    for (const line of headerLines) {
      const colon = line.indexOf(":");
      if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
    }
    leftover = Buffer.from(head.subarray(end + 4));
    head = undefined;
    decoder = new BodyDecoder(headers, () => {
      bodyEnded();
      socket.destroy();
    });
    answered({
      status: Number(status),
      headers,
      body(consumer) {
        consume = consumer;
        const waiting = leftover!;
        leftover = undefined;
        if (waiting.length > 0) feed(waiting);
        if (!socket.destroyed) socket.resume();
        return ended;
      },
      discard: () => socket.destroy(),
    });
    // Paused until body() is called: the reader decides what to do with the answer first.
    return false;
  }

  function feed(bytes: Buffer) {
    try {
      decoder!.feed(bytes, consume!);
    } catch (error) {
      if (!(error instanceof ConnectionError)) Object.assign(error as object, { fromConsumer: true });
      socket.destroy(error as Error);
    }
  }
}

/** Where the body ends: Content-Length, chunked transfer coding, or the connection closing. */
class BodyDecoder {
  readonly endsWithConnection: boolean;
  private readonly length: number | undefined;
  private readonly chunked: boolean;
  private received = 0;
  private finished = false;
  /** Chunked: bytes left in the current chunk, and the size line or trailer being read. */
  private chunkLeft = 0;
  private line = "";
  private state: "size" | "data" | "data-end" | "trailer" = "size";

  constructor(
    headers: Record<string, string>,
    private readonly onEnd: () => void,
  ) {
    this.chunked = /\bchunked\b/i.test(headers["transfer-encoding"] ?? "");
    const length = headers["content-length"];
    this.length = this.chunked || length === undefined ? undefined : Number(length);
    this.endsWithConnection = !this.chunked && this.length === undefined;
    if (this.length === 0) this.end();
  }

  progress(): string {
    return this.length === undefined ? `after ${this.received} bytes of the body` : `after ${this.received} of ${this.length} bytes`;
  }

  feed(bytes: Buffer, consume: (chunk: Buffer) => void): void {
    if (this.finished) return;
    if (!this.chunked) {
      const take = this.length === undefined ? bytes.length : Math.min(bytes.length, this.length - this.received);
      this.received += take;
      if (take > 0) consume(bytes.subarray(0, take));
      if (this.received === this.length) this.end();
      return;
    }
    let offset = 0;
    while (offset < bytes.length && !this.finished) {
      if (this.state === "data") {
        const take = Math.min(this.chunkLeft, bytes.length - offset);
        this.received += take;
        consume(bytes.subarray(offset, offset + take));
        offset += take;
        this.chunkLeft -= take;
        if (this.chunkLeft === 0) this.state = "data-end";
        continue;
      }
      // Size lines, the CRLF after each chunk and the trailer are read a byte at a time: they are short.
      const character = String.fromCharCode(bytes[offset]!);
      offset += 1;
      if (character !== "\n") {
        this.line += character;
        continue;
      }
      const line = this.line.replace(/\r$/, "");
      this.line = "";
      if (this.state === "data-end") {
        if (line !== "") throw new ConnectionError("a malformed chunked body");
        this.state = "size";
      } else if (this.state === "size") {
        const size = Number.parseInt(line.split(";")[0]!.trim(), 16);
        if (!Number.isSafeInteger(size) || size < 0) throw new ConnectionError(`a malformed chunk size "${line.slice(0, 20)}"`);
        this.chunkLeft = size;
        this.state = size === 0 ? "trailer" : "data";
      } else if (line === "") this.end();
    }
  }

  private end() {
    this.finished = true;
    this.onEnd();
  }
}
