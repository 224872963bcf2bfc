import { createHash, randomBytes } from "node:crypto";
import { mkdtemp, readFile, readdir, rm } from "node:fs/promises";
import { type Server, createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ApiError, ApiUnreachableError } from "@distillery/client";
import { BlobClient } from "@distillery/client";
import { FakeApi } from "./support/fake-api";

const sha256 = (bytes: Buffer) => createHash("sha256").update(bytes).digest("hex");

describe("BlobClient.download", () => {
  let api: FakeApi;
  let dir: string;
  let servers: Server[];

  beforeEach(async () => {
    api = await FakeApi.start();
    dir = await mkdtemp(join(tmpdir(), "blob-download-"));
    servers = [];
  });

  afterEach(async () => {
    await api.close();
    for (const server of servers) server.closeAllConnections();
    await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
    await rm(dir, { recursive: true, force: true });
  });

  const client = (url = api.url, token = api.runnerToken) => new BlobClient(url, () => `Bearer ${token}`);

  /** A server that answers every GET with `declared` as Content-Length, then `send`s what it likes. */
  const rawServer = async (declared: number, send: (write: (bytes: Buffer) => void, cut: () => void) => void): Promise<string> => {
    const server = createServer((_request, response) => {
      response.writeHead(200, { "content-length": declared });
      send(
        (bytes) => response.write(bytes),
        () => response.socket?.destroy(),
      );
    });
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  };

  it("streams the blob into place, creating the directory, once its bytes hash to the digest", async () => {
    const bytes = randomBytes(1024 * 1024 + 3);
    const { digest } = api.addModelVersion("m", { format: "TORCH", bytes }).input as { digest: string };
    const hex = digest.slice("sha256:".length);
    const destination = join(dir, "cache", "sha256", hex);
    expect(await client().download(hex, destination)).toEqual({ sizeBytes: bytes.length });
    expect((await readFile(destination)).equals(bytes)).toBe(true);
    expect(await readdir(join(dir, "cache", "sha256"))).toEqual([hex]);
  });

  it("leaves nothing behind when the bytes hash wrong (may pass: ApiUnreachableError)", async () => {
    const bytes = randomBytes(5000);
    api.addModelVersion("m", { format: "TORCH", bytes });
    api.corruptBlobGets = 1;
    const destination = join(dir, sha256(bytes));
    const error = await client().download(sha256(bytes), destination).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ApiUnreachableError);
    expect((error as Error).message).toMatch(/the bytes hash to sha256:[0-9a-f]{64}, not sha256:/);
    expect(await readdir(dir)).toEqual([]);
  });

  it("a missing blob is NOT_FOUND, a bad token UNAUTHENTICATED: ApiErrors with the API's reasons", async () => {
    const hex = "ab".repeat(32);
    const missing = await client().download(hex, join(dir, hex)).catch((caught: unknown) => caught);
    expect(missing).toBeInstanceOf(ApiError);
    expect(missing).toMatchObject({ code: "NOT_FOUND", reason: "BLOB_NOT_FOUND", status: 404 });
    const refused = await client(api.url, "wrong").download(hex, join(dir, hex)).catch((caught: unknown) => caught);
    expect(refused).toMatchObject({ code: "UNAUTHENTICATED", reason: "TOKEN_INVALID", status: 401 });
    expect(await readdir(dir)).toEqual([]);
  });

  it("a transfer cut short is ApiUnreachableError, and the partial file is removed", async () => {
    const bytes = randomBytes(100_000);
    const url = await rawServer(bytes.length, (write, cut) => {
      write(bytes.subarray(0, 40_000));
      setTimeout(cut, 50);
    });
    const error = await client(url).download(sha256(bytes), join(dir, sha256(bytes))).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ApiUnreachableError);
    expect(await readdir(dir)).toEqual([]);
  });

  it("an abort mid-transfer rejects with the signal's reason and removes the partial file", async () => {
    const bytes = randomBytes(100_000);
    let started!: () => void;
    const writing = new Promise<void>((resolve) => (started = resolve));
    const url = await rawServer(bytes.length, (write) => {
      write(bytes.subarray(0, 40_000));
      started();
    });
    const controller = new AbortController();
    const download = client(url).download(sha256(bytes), join(dir, sha256(bytes)), controller.signal);
    await writing;
    await new Promise((resolve) => setTimeout(resolve, 50));
    const reason = new Error("shutting down");
    controller.abort(reason);
    expect(await download.catch((caught: unknown) => caught)).toBe(reason);
    expect(await readdir(dir)).toEqual([]);
  });
});
