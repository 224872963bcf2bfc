import { createHash, randomBytes } from "node:crypto";
import { once } from "node:events";
import { readdir } from "node:fs/promises";
import { type ClientRequest, type IncomingHttpHeaders, type OutgoingHttpHeaders, request as httpRequest } from "node:http";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { createToken, putBlob, sha256Hex } from "./support/factories";
import { useTestServer } from "./support/use-test-server";
import { waitFor } from "./support/wait-for";

const MAX_BLOB_BYTES = 1024 * 1024;

const BLOB_QUERY = `query($digest: String!) { blob(digest: $digest) { digest sizeBytes mediaType createdAt } }`;
const REVOKE_TOKEN = `mutation($id: ID!) { revokeApiToken(id: $id) { id revokedAt } }`;

const api = useTestServer({ DISTILLERY_MAX_BLOB_BYTES: String(MAX_BLOB_BYTES) });

const blobUrl = (hex: string) => `${api.server.url}/v1/blobs/sha256/${hex}`;
const bearer = (token: string | null): Record<string, string> => (token ? { authorization: `Bearer ${token}` } : {});
const incomingDir = () => join(api.server.dataDir, "blobs", "incoming");
const sha256Dir = () => join(api.server.dataDir, "blobs", "sha256");

function getBlob(hex: string, token: string | null = api.server.adminToken, headers: Record<string, string> = {}, method = "GET") {
  return fetch(blobUrl(hex), { method, headers: { ...bearer(token), ...headers } });
}

/** Every regular file under `dir`, as paths relative to it. */
async function filesUnder(dir: string, prefix = ""): Promise<string[]> {
  const files: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    if (entry.isDirectory()) files.push(...(await filesUnder(join(dir, entry.name), `${prefix}${entry.name}/`)));
    else files.push(`${prefix}${entry.name}`);
  }
  return files.sort();
}

/** The stored blobs and the uploads in progress, to compare before and after a refused request. */
async function blobFiles(): Promise<{ stored: string[]; incoming: string[] }> {
  return { stored: await filesUnder(sha256Dir()), incoming: await filesUnder(incomingDir()) };
}

interface ErrorBody {
  error: { code: string; reason: string; message: string; details?: Record<string, unknown> };
}

async function expectError(response: Response | RawResponse, status: number, code: string, reason: string): Promise<ErrorBody["error"]> {
  const text = response instanceof Response ? await response.text() : response.body;
  expect(response.status, text).toBe(status);
  const body = JSON.parse(text) as ErrorBody;
  expect({ code: body.error.code, reason: body.error.reason }, body.error.message).toEqual({ code, reason });
  expect(body.error.message).toEqual(expect.any(String));
  return body.error;
}

/** The blob is nowhere: not over HTTP, not in GraphQL, not on disk, and no upload left behind. */
async function expectNothingKept(hex: string, before: { stored: string[] }): Promise<void> {
  await expectError(await getBlob(hex), 404, "NOT_FOUND", "BLOB_NOT_FOUND");
  await api.admin.fails(BLOB_QUERY, { digest: `sha256:${hex}` }, "NOT_FOUND", "BLOB_NOT_FOUND");
  expect(await blobFiles()).toEqual({ stored: before.stored, incoming: [] });
}

interface RawResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

/**
 * A PUT over node:http, for what fetch cannot do: send headers before the body, stream a chunked
 * body, or drop the connection halfway. `response` settles with the answer, or fails if the
 * connection ends without one.
 */
function openPut(hex: string, headers: OutgoingHttpHeaders = {}): { request: ClientRequest; response: Promise<RawResponse> } {
  const request = httpRequest(blobUrl(hex), {
    method: "PUT",
    headers: { ...bearer(api.server.adminToken), "content-type": "application/octet-stream", ...headers },
  });
  const response = new Promise<RawResponse>((resolve, reject) => {
    let answered = false;
    request.once("response", (incoming) => {
      answered = true;
      const chunks: Buffer[] = [];
      incoming.on("data", (chunk: Buffer) => chunks.push(chunk));
      incoming.once("end", () => resolve({ status: incoming.statusCode ?? 0, headers: incoming.headers, body: Buffer.concat(chunks).toString() }));
      incoming.once("error", reject);
    });
    request.once("error", reject);
    request.once("close", () => answered || reject(new Error("connection closed before a response")));
  });
  return { request, response };
}

/** Writes `bytes` in chunks, waiting whenever the socket asks for it. */
async function writeInChunks(request: ClientRequest, bytes: Buffer, chunkSize = 64 * 1024): Promise<void> {
  for (let offset = 0; offset < bytes.length; offset += chunkSize) {
    if (!request.write(bytes.subarray(offset, offset + chunkSize))) await once(request, "drain");
  }
}

describe("blob upload and download over /v1/blobs/sha256/<hex>", () => {
  it("stores with 201, answers 200 to the same PUT again, and records the size for GraphQL", async () => {
    const bytes = randomBytes(4096);
    const hex = sha256Hex(bytes);

    const first = await putBlob(api.server.url, api.server.adminToken, bytes);
    expect(first.status).toBe(201);
    expect(first.headers.get("location")).toBe(`/v1/blobs/sha256/${hex}`);
    expect(await first.json()).toEqual({ digest: `sha256:${hex}`, sizeBytes: 4096, created: true });

    const again = await putBlob(api.server.url, api.server.adminToken, bytes);
    expect(again.status).toBe(200);
    expect(await again.json()).toEqual({ digest: `sha256:${hex}`, sizeBytes: 4096, created: false });

    const data = await api.admin.ok<{ blob: { digest: string; sizeBytes: number; mediaType: string; createdAt: string } }>(BLOB_QUERY, {
      digest: `sha256:${hex}`,
    });
    expect(data.blob).toMatchObject({ digest: `sha256:${hex}`, sizeBytes: 4096, mediaType: "application/octet-stream" });
    expect(Number.isNaN(Date.parse(data.blob.createdAt))).toBe(false);
    expect((await blobFiles()).stored.filter((path) => path.endsWith(hex))).toEqual([`${hex.slice(0, 2)}/${hex}`]);
  });

  it("accepts a blob of exactly the size limit", async () => {
    const bytes = randomBytes(MAX_BLOB_BYTES);
    const response = await putBlob(api.server.url, api.server.adminToken, bytes);
    expect(response.status).toBe(201);
    expect(await response.json()).toMatchObject({ sizeBytes: MAX_BLOB_BYTES });
  });

  it("serves the identical bytes with Content-Length, ETag, Repr-Digest and Accept-Ranges", async () => {
    const bytes = randomBytes(1000);
    const hex = sha256Hex(bytes);
    expect((await putBlob(api.server.url, api.server.adminToken, bytes)).status).toBe(201);

    const response = await getBlob(hex);

    expect(response.status).toBe(200);
    expect(response.headers.get("content-length")).toBe("1000");
    expect(response.headers.get("etag")).toBe(`"sha256:${hex}"`);
    expect(response.headers.get("repr-digest")).toBe(`sha-256=:${createHash("sha256").update(bytes).digest("base64")}:`);
    expect(response.headers.get("accept-ranges")).toBe("bytes");
    expect(Buffer.from(await response.arrayBuffer()).equals(bytes)).toBe(true);
  });

  it("answers HEAD with the same headers and no body", async () => {
    const bytes = randomBytes(1000);
    const hex = sha256Hex(bytes);
    expect((await putBlob(api.server.url, api.server.adminToken, bytes)).status).toBe(201);

    const response = await getBlob(hex, api.server.adminToken, {}, "HEAD");

    expect(response.status).toBe(200);
    expect(response.headers.get("content-length")).toBe("1000");
    expect(response.headers.get("etag")).toBe(`"sha256:${hex}"`);
    expect(response.headers.get("repr-digest")).toBe(`sha-256=:${Buffer.from(hex, "hex").toString("base64")}:`);
    expect(response.headers.get("accept-ranges")).toBe("bytes");
    expect((await response.arrayBuffer()).byteLength).toBe(0);
  });

  it("serves byte ranges with 206 and Content-Range: closed, suffix and open-ended", async () => {
    const bytes = randomBytes(1000);
    const hex = sha256Hex(bytes);
    expect((await putBlob(api.server.url, api.server.adminToken, bytes)).status).toBe(201);

    const cases = [
      { range: "bytes=10-19", start: 10, end: 19 },
      { range: "bytes=-5", start: 995, end: 999 },
      { range: "bytes=990-", start: 990, end: 999 },
      { range: "bytes=995-5000", start: 995, end: 999 },
    ];
    for (const { range, start, end } of cases) {
      const response = await getBlob(hex, api.server.adminToken, { range });
      expect(response.status, range).toBe(206);
      expect(response.headers.get("content-range"), range).toBe(`bytes ${start}-${end}/1000`);
      expect(response.headers.get("content-length"), range).toBe(String(end - start + 1));
      expect(Buffer.from(await response.arrayBuffer()).equals(bytes.subarray(start, end + 1)), range).toBe(true);
    }
  });

  it("answers an unsatisfiable range with 416 and the blob's size, and ignores ranges in other units", async () => {
    const bytes = randomBytes(1000);
    const hex = sha256Hex(bytes);
    expect((await putBlob(api.server.url, api.server.adminToken, bytes)).status).toBe(201);

    const outside = await getBlob(hex, api.server.adminToken, { range: "bytes=1000-" });
    expect(outside.headers.get("content-range")).toBe("bytes */1000");
    const error = await expectError(outside, 416, "BAD_USER_INPUT", "RANGE_NOT_SATISFIABLE");
    expect(error.details).toEqual({ size: 1000 });

    const otherUnit = await getBlob(hex, api.server.adminToken, { range: "items=0-9" });
    expect(otherUnit.status).toBe(200);
    expect(Buffer.from(await otherUnit.arrayBuffer()).equals(bytes)).toBe(true);
  });

  it("answers If-None-Match with the ETag by 304 without a body", async () => {
    const bytes = randomBytes(1000);
    const hex = sha256Hex(bytes);
    expect((await putBlob(api.server.url, api.server.adminToken, bytes)).status).toBe(201);

    const response = await getBlob(hex, api.server.adminToken, { "if-none-match": `"sha256:${hex}"` });

    expect(response.status).toBe(304);
    expect(response.headers.get("etag")).toBe(`"sha256:${hex}"`);
    expect((await response.arrayBuffer()).byteLength).toBe(0);
    expect((await getBlob(hex, api.server.adminToken, { "if-none-match": '"sha256:something-else"' })).status).toBe(200);
  });

  it("refuses content that does not hash to the URL's digest with 400 DIGEST_MISMATCH and keeps nothing", async () => {
    const before = await blobFiles();
    const bytes = randomBytes(4096);
    const claimed = sha256Hex(randomBytes(32));

    const error = await expectError(await putBlob(api.server.url, api.server.adminToken, bytes, claimed), 400, "BAD_USER_INPUT", "DIGEST_MISMATCH");

    expect(error.details).toEqual({ expected: `sha256:${claimed}`, actual: `sha256:${sha256Hex(bytes)}` });
    await expectNothingKept(claimed, before);
    await expectNothingKept(sha256Hex(bytes), before);
  });

  it("refuses a declared Content-Length over the limit with 413 BLOB_TOO_LARGE before any byte is sent", async () => {
    const before = await blobFiles();
    const hex = sha256Hex(randomBytes(32));
    const { request, response } = openPut(hex, { "content-length": MAX_BLOB_BYTES + 1 });
    request.flushHeaders();

    const answer = await response;
    request.destroy();

    expect(answer.headers.connection).toBe("close");
    const error = await expectError(answer, 413, "PAYLOAD_TOO_LARGE", "BLOB_TOO_LARGE");
    expect(error.details).toEqual({ maxBytes: MAX_BLOB_BYTES });
    await expectNothingKept(hex, before);
  });

  it("refuses a chunked body that grows past the limit with 413 BLOB_TOO_LARGE and keeps nothing", async () => {
    const before = await blobFiles();
    const bytes = randomBytes(MAX_BLOB_BYTES + 1);
    const hex = sha256Hex(bytes);
    const { request, response } = openPut(hex);

    await writeInChunks(request, bytes);
    request.end();
    const answer = await response;

    expect(request.getHeader("content-length")).toBeUndefined();
    expect(request.chunkedEncoding).toBe(true);
    await expectError(answer, 413, "PAYLOAD_TOO_LARGE", "BLOB_TOO_LARGE");
    await expectNothingKept(hex, before);
  });

  it("leaves nothing visible when the client disconnects midway, and a later complete upload still creates the blob", async () => {
    const before = await blobFiles();
    const bytes = randomBytes(512 * 1024);
    const hex = sha256Hex(bytes);
    const { request, response } = openPut(hex, { "content-length": bytes.length });
    const failed = response.then(
      () => "answered",
      () => "failed",
    );

    await writeInChunks(request, bytes.subarray(0, bytes.length / 2));
    await waitFor("the upload to reach incoming/", async () => ((await readdir(incomingDir())).length > 0 ? true : undefined));
    request.destroy();

    expect(await failed).toBe("failed");
    await waitFor("incoming/ to be cleaned up", async () => ((await readdir(incomingDir())).length === 0 ? true : undefined));
    await expectNothingKept(hex, before);

    const complete = await putBlob(api.server.url, api.server.adminToken, bytes);
    expect(complete.status).toBe(201);
    expect(Buffer.from(await (await getBlob(hex)).arrayBuffer()).equals(bytes)).toBe(true);
  });

  it("refuses a malformed digest in the URL with 400 INVALID_DIGEST", async () => {
    const before = await blobFiles();
    const valid = sha256Hex(Buffer.from("malformed digests"));
    for (const hex of [valid.toUpperCase(), valid.slice(0, 63), `${valid}0`, `${valid.slice(0, 63)}g`, "latest"]) {
      const put = await putBlob(api.server.url, api.server.adminToken, Buffer.from("malformed digests"), hex);
      const error = await expectError(put, 400, "BAD_USER_INPUT", "INVALID_DIGEST");
      expect(error.details).toEqual({ digest: hex });
      await expectError(await getBlob(hex), 400, "BAD_USER_INPUT", "INVALID_DIGEST");
    }
    expect(await blobFiles()).toEqual(before);
    await expectNothingKept(valid, before);
  });

  it("refuses anonymous and unknown callers with 401, for PUT and GET alike", async () => {
    const stored = randomBytes(100);
    expect((await putBlob(api.server.url, api.server.adminToken, stored)).status).toBe(201);
    const before = await blobFiles();
    const bytes = randomBytes(100);
    const hex = sha256Hex(bytes);

    const anonymousPut = await fetch(blobUrl(hex), { method: "PUT", headers: { "content-type": "application/octet-stream" }, body: bytes });
    await expectError(anonymousPut, 401, "UNAUTHENTICATED", "UNAUTHENTICATED");
    await expectError(await putBlob(api.server.url, "dst_not-a-real-token", bytes), 401, "UNAUTHENTICATED", "TOKEN_INVALID");
    await expectError(await getBlob(sha256Hex(stored), null), 401, "UNAUTHENTICATED", "UNAUTHENTICATED");
    await expectError(await getBlob(sha256Hex(stored), "dst_not-a-real-token"), 401, "UNAUTHENTICATED", "TOKEN_INVALID");

    await expectNothingKept(hex, before);
  });

  it("lets a READ token download but refuses its upload with 403 FORBIDDEN", async () => {
    const { token } = await createToken(api.admin, ["READ"]);
    const stored = randomBytes(100);
    expect((await putBlob(api.server.url, api.server.adminToken, stored)).status).toBe(201);
    const before = await blobFiles();

    const download = await getBlob(sha256Hex(stored), token);
    expect(download.status).toBe(200);
    expect(Buffer.from(await download.arrayBuffer()).equals(stored)).toBe(true);

    const bytes = randomBytes(100);
    const error = await expectError(await putBlob(api.server.url, token, bytes), 403, "FORBIDDEN", "FORBIDDEN");
    expect(error.details).toEqual({ required: ["WRITE", "RUNNER"] });
    await expectNothingKept(sha256Hex(bytes), before);
  });

  it("takes uploads from a RUNNER token: runners upload what their jobs produce", async () => {
    const { token } = await createToken(api.admin, ["RUNNER"]);
    expect((await putBlob(api.server.url, token, randomBytes(64))).status).toBe(201);
  });

  it("refuses a revoked token with 401 TOKEN_REVOKED", async () => {
    const { token, apiToken } = await createToken(api.admin, ["WRITE"]);
    const stored = randomBytes(100);
    expect((await putBlob(api.server.url, token, stored)).status).toBe(201);
    expect((await getBlob(sha256Hex(stored), token)).status).toBe(200);

    await api.admin.ok(REVOKE_TOKEN, { id: apiToken.id });
    const before = await blobFiles();

    const bytes = randomBytes(100);
    await expectError(await putBlob(api.server.url, token, bytes), 401, "UNAUTHENTICATED", "TOKEN_REVOKED");
    await expectError(await getBlob(sha256Hex(stored), token), 401, "UNAUTHENTICATED", "TOKEN_REVOKED");
    await expectNothingKept(sha256Hex(bytes), before);
  });
});
