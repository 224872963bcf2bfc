import { spawnSync } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { mkdtemp, readdir, readFile, rm, utimes, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { DomainError } from "@distillery/domain";
import { OVERFLOW_DRAIN_BYTES } from "./hashing-counter";
import { LocalBlobStore } from "./local-blob-store";

const MAX = 1024 * 1024;

function sha256Hex(bytes: Buffer): string {
  return createHash("sha256").update(bytes).digest("hex");
}

/** A source that hands out `bytes` in a few chunks, like a request body would. */
function sourceOf(bytes: Buffer, chunkSize = 4096): Readable {
  const chunks: Buffer[] = [];
  for (let offset = 0; offset < bytes.length; offset += chunkSize) chunks.push(bytes.subarray(offset, offset + chunkSize));
  return Readable.from(chunks);
}

/** A source that sends `bytes`, then fails like a connection reset halfway through an upload. */
function failingSourceOf(bytes: Buffer): Readable {
  return Readable.from(
    (async function* () {
      yield bytes;
      throw new Error("connection reset by peer");
    })(),
  );
}

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** Every regular file under `dir`, as paths relative to it. */
async function filesUnder(dir: string, prefix = ""): Promise<string[]> {
  const files: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    if (entry.isDirectory()) files.push(...(await filesUnder(join(dir, entry.name), `${prefix}${entry.name}/`)));
    else files.push(`${prefix}${entry.name}`);
  }
  return files;
}

async function expectDomainError(promise: Promise<unknown>, reason: string): Promise<DomainError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error, `expected ${reason}`).toBeInstanceOf(DomainError);
  expect((error as DomainError).reason).toBe(reason);
  return error as DomainError;
}

let root: string;
let store: LocalBlobStore;

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), "distillery-blobstore-"));
  store = await LocalBlobStore.open(root);
});
afterEach(() => rm(root, { recursive: true, force: true }));

describe("LocalBlobStore", () => {
  it("stores a blob under sha256/<first two hex>/<hex> and reads it back", async () => {
    const bytes = randomBytes(10_000);
    const hex = sha256Hex(bytes);

    const result = await store.put(sourceOf(bytes), { expectedHex: hex, maxBytes: MAX });

    expect(result).toEqual({ hex, size: bytes.length, created: true });
    expect(await store.stat(hex)).toEqual({ hex, size: bytes.length });
    expect((await readAll(await store.read(hex))).equals(bytes)).toBe(true);
    expect(await filesUnder(root)).toEqual([`sha256/${hex.slice(0, 2)}/${hex}`]);
    expect((await readFile(join(root, "sha256", hex.slice(0, 2), hex))).equals(bytes)).toBe(true);
  });

  it("stores an empty blob", async () => {
    const empty = Buffer.alloc(0);
    const hex = sha256Hex(empty);
    expect(await store.put(sourceOf(empty), { expectedHex: hex, maxBytes: MAX })).toEqual({ hex, size: 0, created: true });
    expect((await readAll(await store.read(hex))).length).toBe(0);
  });

  it("is idempotent: a second put of the same content reports created false and keeps one file", async () => {
    const bytes = randomBytes(5_000);
    const hex = sha256Hex(bytes);
    await store.put(sourceOf(bytes), { expectedHex: hex, maxBytes: MAX });

    const again = await store.put(sourceOf(bytes), { expectedHex: hex, maxBytes: MAX });

    expect(again).toEqual({ hex, size: bytes.length, created: false });
    expect(await filesUnder(root)).toEqual([`sha256/${hex.slice(0, 2)}/${hex}`]);
    expect((await readAll(await store.read(hex))).equals(bytes)).toBe(true);
  });

  it("refuses content that hashes differently with DIGEST_MISMATCH and keeps no file", async () => {
    const bytes = randomBytes(5_000);
    const claimed = sha256Hex(randomBytes(16));

    const error = await expectDomainError(store.put(sourceOf(bytes), { expectedHex: claimed, maxBytes: MAX }), "DIGEST_MISMATCH");

    expect(error.details).toEqual({ expected: `sha256:${claimed}`, actual: `sha256:${sha256Hex(bytes)}` });
    expect(await store.stat(claimed)).toBeNull();
    expect(await filesUnder(root)).toEqual([]);
  });

  it("refuses content over maxBytes with BLOB_TOO_LARGE and keeps no file", async () => {
    const bytes = randomBytes(10_001);
    const hex = sha256Hex(bytes);

    const error = await expectDomainError(store.put(sourceOf(bytes), { expectedHex: hex, maxBytes: 10_000 }), "BLOB_TOO_LARGE");

    expect(error.details).toEqual({ maxBytes: 10_000 });
    expect(await store.stat(hex)).toBeNull();
    expect(await filesUnder(root)).toEqual([]);
  });

  it("cuts off a source that goes on far past the limit instead of draining it forever", async () => {
    let produced = 0;
    const endless = new Readable({
      read() {
        produced += 1024 * 1024;
        this.push(Buffer.alloc(1024 * 1024));
      },
    });

    await expectDomainError(store.put(endless, { expectedHex: "0".repeat(64), maxBytes: 10_000 }), "BLOB_TOO_LARGE");

    expect(produced).toBeLessThan(10_000 + OVERFLOW_DRAIN_BYTES + 8 * 1024 * 1024);
    expect(await filesUnder(root)).toEqual([]);
  });

  it("accepts content of exactly maxBytes", async () => {
    const bytes = randomBytes(10_000);
    const hex = sha256Hex(bytes);
    expect(await store.put(sourceOf(bytes), { expectedHex: hex, maxBytes: 10_000 })).toMatchObject({ size: 10_000, created: true });
  });

  it("keeps nothing, in incoming/ or sha256/, when the source fails midway", async () => {
    const bytes = randomBytes(64 * 1024);
    const hex = sha256Hex(Buffer.concat([bytes, bytes]));

    await expect(store.put(failingSourceOf(bytes), { expectedHex: hex, maxBytes: MAX })).rejects.toThrow("connection reset by peer");

    expect(await readdir(join(root, "incoming"))).toEqual([]);
    expect(await store.stat(hex)).toBeNull();
    expect(await filesUnder(root)).toEqual([]);
  });

  it("keeps nothing when the source fails before or right after its first bytes, however the timing falls", async () => {
    // put() used to unlink its .part while the file's open was still in flight, leaving it
    // behind a few times in a thousand; 400 rounds (about a second) catch that reliably.
    const hex = sha256Hex(Buffer.from("never complete"));
    for (let attempt = 0; attempt < 400; attempt += 1) {
      const failsAtOnce = new Readable({
        read() {
          this.destroy(new Error("aborted"));
        },
      });
      await expect(store.put(failsAtOnce, { expectedHex: hex, maxBytes: MAX })).rejects.toThrow("aborted");
      await expect(store.put(failingSourceOf(Buffer.alloc(10)), { expectedHex: hex, maxBytes: MAX })).rejects.toThrow();
    }
    expect(await filesUnder(root)).toEqual([]);
  });

  it("refuses a malformed digest before writing anything", async () => {
    await expectDomainError(store.put(sourceOf(Buffer.from("x")), { expectedHex: "ABC", maxBytes: MAX }), "INVALID_DIGEST");
    await expectDomainError(store.stat("../../etc/passwd"), "INVALID_DIGEST");
    expect(await filesUnder(root)).toEqual([]);
  });

  it("reports a missing blob: stat gives null, read fails with BLOB_NOT_FOUND", async () => {
    const hex = sha256Hex(Buffer.from("missing"));
    expect(await store.stat(hex)).toBeNull();
    await expectDomainError(store.read(hex), "BLOB_NOT_FOUND");
  });

  it("reads an inclusive byte range", async () => {
    const bytes = randomBytes(1000);
    const hex = sha256Hex(bytes);
    await store.put(sourceOf(bytes), { expectedHex: hex, maxBytes: MAX });

    expect((await readAll(await store.read(hex, { start: 10, end: 19 }))).equals(bytes.subarray(10, 20))).toBe(true);
    expect((await readAll(await store.read(hex, { start: 0, end: 0 }))).equals(bytes.subarray(0, 1))).toBe(true);
    expect((await readAll(await store.read(hex, { start: 995, end: 999 }))).equals(bytes.subarray(995))).toBe(true);
  });

  it("sweepIncomplete removes .part files older than the cut-off and keeps fresh ones", async () => {
    const incoming = join(root, "incoming");
    const hourAgo = new Date(Date.now() - 60 * 60 * 1000);
    await writeFile(join(incoming, "old-1.part"), "left by a dead process");
    await writeFile(join(incoming, "old-2.part"), "left by a dead process");
    await utimes(join(incoming, "old-1.part"), hourAgo, hourAgo);
    await utimes(join(incoming, "old-2.part"), hourAgo, hourAgo);
    await writeFile(join(incoming, "fresh.part"), "an upload in progress");

    expect(await store.sweepIncomplete(10 * 60 * 1000)).toBe(2);

    expect(await readdir(incoming)).toEqual(["fresh.part"]);
    expect(await store.sweepIncomplete(10 * 60 * 1000)).toBe(0);
  });

  it("sweepIncomplete removes fresh uploads of a dead process but keeps those of live ones", async () => {
    const incoming = join(root, "incoming");
    const dead = spawnSync(process.execPath, ["-e", "process.exit(0)"]).pid!;
    await writeFile(join(incoming, `${dead}-a.part`), "the writer was killed");
    await writeFile(join(incoming, `${process.pid}-b.part`), "this process is still writing it");

    expect(await store.sweepIncomplete(60 * 60 * 1000)).toBe(1);

    expect(await readdir(incoming)).toEqual([`${process.pid}-b.part`]);
  });

  it("sweepIncomplete leaves stored blobs alone", async () => {
    const bytes = randomBytes(100);
    const hex = sha256Hex(bytes);
    await store.put(sourceOf(bytes), { expectedHex: hex, maxBytes: MAX });

    expect(await store.sweepIncomplete(0)).toBe(0);
    expect(await store.stat(hex)).toEqual({ hex, size: 100 });
  });
});
