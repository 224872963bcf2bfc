import { createConnection, createServer, type Socket } from "node:net";

/** A TCP proxy in front of the API that lets a blob download through only up to a byte count. */
export interface StallingProxy {
  url: string;
  /** Resolves when a blob answer has had its first `bodyBytes` bytes forwarded and the rest is held back. */
  stalled: Promise<void>;
  close(): Promise<void>;
}

/**
 * Every connection is forwarded both ways, except the answer to a `GET /v1/blobs/…`: its headers
 * and first `bodyBytes` body bytes pass, then nothing more — the connection stays open and silent,
 * as a download does when a network hangs. GraphQL requests pass untouched.
 */
export async function startStallingProxy(target: string, bodyBytes: number): Promise<StallingProxy> {
  const { hostname, port } = new URL(target);
  const sockets = new Set<Socket>();
  let markStalled!: () => void;
  const stalled = new Promise<void>((done) => (markStalled = done));

  const server = createServer((client) => {
    const upstream = createConnection({ host: hostname, port: Number(port) });
    sockets.add(client).add(upstream);
    client.on("close", () => upstream.destroy());
    upstream.on("close", () => client.destroy());
    client.on("error", () => upstream.destroy());
    upstream.on("error", () => client.destroy());

    let isBlobDownload: boolean | undefined;
    client.on("data", (chunk: Buffer) => {
      isBlobDownload ??= chunk.toString("latin1").startsWith("GET /v1/blobs/");
      upstream.write(chunk);
    });

    let head = Buffer.alloc(0);
    let headerDone = false;
    let forwarded = 0;
    upstream.on("data", (chunk: Buffer) => {
      if (!isBlobDownload) return void client.write(chunk);
      let body = chunk;
      if (!headerDone) {
        head = Buffer.concat([head, chunk]);
        const end = head.indexOf("\r\n\r\n");
        if (end < 0) return;
        headerDone = true;
        client.write(head.subarray(0, end + 4));
        body = head.subarray(end + 4);
      }
      const allowed = Math.max(0, Math.min(body.length, bodyBytes - forwarded));
      if (allowed > 0) client.write(body.subarray(0, allowed));
      forwarded += allowed;
      if (forwarded >= bodyBytes) {
        upstream.pause(); // the rest stays in the API's socket: silence, not a closed connection
        markStalled();
      }
    });
  });
  await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
  const address = server.address();
  const url = `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}`;
  return {
    url,
    stalled,
    close: () =>
      new Promise<void>((done) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => done());
      }),
  };
}
