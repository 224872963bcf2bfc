import { randomBytes } from "node:crypto";
import { createServer as createHttpServer, type Server as HttpServer } from "node:http";
import { createServer as createNetServer, type Server as NetServer, type Socket } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { ConnectionError, singleBufferGet } from "../src/transfer/single-buffer-get";

/** The GET `pull` reads blobs with (one reused read buffer), against servers that frame bodies every way HTTP/1.1 allows. */
describe("singleBufferGet", () => {
  const servers: Array<HttpServer | NetServer> = [];
  const listen = async <T extends HttpServer | NetServer>(server: T): Promise<string> => {
    servers.push(server);
    await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
    const address = server.address();
    return `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}`;
  };
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((server) => new Promise((done) => server.close(done))));
  });

  /** The body as the consumer saw it, copied chunk by chunk (the chunks themselves are reused memory). */
  const fetchBody = async (url: string, headers: Record<string, string> = {}) => {
    const answer = await singleBufferGet(new URL(url), { headers, idleTimeoutMs: 30_000, signal: new AbortController().signal });
    const parts: Buffer[] = [];
    await answer.body((chunk) => parts.push(Buffer.from(chunk)));
    return { status: answer.status, headers: answer.headers, body: Buffer.concat(parts) };
  };

  it("reads a Content-Length body larger than its buffer, with the status, the headers and the request's own headers", async () => {
    const content = randomBytes(5 * 1024 * 1024 + 7);
    let seen: Record<string, string | string[] | undefined> = {};
    const url = await listen(
      createHttpServer((request, response) => {
        seen = request.headers;
        response.writeHead(206, { "content-length": content.length, "content-range": `bytes 0-${content.length - 1}/${content.length}` }).end(content);
      }),
    );
    const { status, headers, body } = await fetchBody(`${url}/v1/blobs/x?y=1`, { authorization: "Bearer t", range: "bytes=0-" });
    expect(status).toBe(206);
    expect(headers["content-range"]).toBe(`bytes 0-${content.length - 1}/${content.length}`);
    expect(body.equals(content)).toBe(true);
    expect(seen).toMatchObject({ authorization: "Bearer t", range: "bytes=0-", connection: "close" });
  });

  it("decodes a chunked body, chunk sizes and boundaries falling anywhere in the reads", async () => {
    const pieces = [1, 7, 65_536, 3, 300_000, 2 * 1024 * 1024].map((size) => randomBytes(size));
    const url = await listen(
      createHttpServer(async (_request, response) => {
        response.writeHead(200); // no length: Node's server sends it chunked
        for (const piece of pieces) {
          response.write(piece);
          await new Promise((done) => setImmediate(done));
        }
        response.end();
      }),
    );
    const { body } = await fetchBody(url);
    expect(body.equals(Buffer.concat(pieces))).toBe(true);
  });

  it("reads a body that ends with the connection, and an empty one", async () => {
    const content = randomBytes(100_000);
    const raw = (reply: (socket: Socket) => void) => createNetServer((socket) => socket.once("data", () => reply(socket)));
    const closing = await listen(raw((socket) => socket.end(Buffer.concat([Buffer.from("HTTP/1.0 200 OK\r\nx-kind: close\r\n\r\n"), content]))));
    const closed = await fetchBody(closing);
    expect(closed.headers["x-kind"]).toBe("close");
    expect(closed.body.equals(content)).toBe(true);

    const empty = await listen(createHttpServer((_request, response) => response.writeHead(204).end()));
    expect(await fetchBody(empty)).toMatchObject({ status: 204, body: Buffer.alloc(0) });
  });

  it("a body cut short is a ConnectionError saying how far it got; so is a refused connection", async () => {
    const url = await listen(
      createNetServer((socket) => socket.once("data", () => socket.end("HTTP/1.1 200 OK\r\ncontent-length: 1000\r\n\r\n" + "x".repeat(400)))),
    );
    const error = await fetchBody(url).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ConnectionError);
    expect((error as Error).message).toBe("the connection closed after 400 of 1000 bytes");

    const refused = await singleBufferGet(new URL("http://127.0.0.1:1/"), { headers: {}, idleTimeoutMs: 30_000, signal: new AbortController().signal }).catch((caught: unknown) => caught);
    expect(refused).toBeInstanceOf(ConnectionError);
    expect((refused as Error).message).toMatch(/ECONNREFUSED/);
  });

  it("what the consumer throws ends the transfer with that very error", async () => {
    const url = await listen(createHttpServer((_request, response) => response.end(randomBytes(3 * 1024 * 1024))));
    const answer = await singleBufferGet(new URL(url), { headers: {}, idleTimeoutMs: 30_000, signal: new AbortController().signal });
    const refusal = new Error("disk full");
    await expect(
      answer.body(() => {
        throw refusal;
      }),
    ).rejects.toBe(refusal);
  });
});
