import { randomBytes } from "node:crypto";
import { readdir, readFile } from "node:fs/promises";
import { request } from "node:http";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createModel, createToken, putBlob, REGISTER_VERSION, registerVersion, sha256Hex, uploadBlob } from "./support/factories";
import { GraphQLClient } from "./support/graphql-client";
import { startTestServer, type TestServer } from "./support/test-server";
import { databaseKind } from "./support/test-database";
import { waitFor } from "./support/wait-for";

let server: TestServer;
let admin: GraphQLClient;

beforeAll(async () => {
  server = await startTestServer();
  admin = new GraphQLClient(server.url, server.adminToken);
});
afterAll(() => server?.stop());

const SNAPSHOT = `query($name: String!) {
  model(name: $name) {
    name
    versions(first: 100) { totalCount edges { node { version digest sizeBytes precision parents { relation version { ref } } } } }
    aliases { name version { ref } history { from { ref } to { ref } } }
  }
}`;

/** Kills the API with SIGKILL (no shutdown hooks run) and starts a new process on the same data. */
async function crashAndRestart(): Promise<void> {
  await server.kill();
  await server.restart();
}

describe(`after SIGKILL (${databaseKind})`, () => {
  it("keeps every committed model, version, alias, token and blob, and mints no second admin token", async () => {
    const model = await createModel(admin);
    const bytes = randomBytes(4096);
    expect((await putBlob(server.url, server.adminToken, bytes)).status).toBe(201);
    await registerVersion(admin, model.name, { digest: `sha256:${sha256Hex(bytes)}` });
    await registerVersion(admin, model.name, { precision: "INT8", parents: [{ ref: `${model.name}@v1`, relation: "QUANTIZED_FROM" }] });
    await admin.ok(`mutation($input: SetAliasInput!) { setAlias(input: $input) { name } }`, { input: { model: model.name, alias: "production", version: 1 } });
    const reader = await createToken(admin, ["READ"]);
    const before = await admin.ok(SNAPSHOT, { name: model.name });
    const tokensBefore = (await admin.ok(`{ apiTokens { id } }`)).apiTokens;
    const adminTokenFile = await readFile(join(server.dataDir, "admin-token"), "utf8");

    await crashAndRestart();

    expect(await admin.ok(SNAPSHOT, { name: model.name })).toEqual(before);
    expect((await admin.ok(`{ apiTokens { id } }`)).apiTokens).toEqual(tokensBefore);
    expect(await readFile(join(server.dataDir, "admin-token"), "utf8")).toBe(adminTokenFile);
    expect((await admin.withToken(reader.token).ok(`{ me { scopes } }`)).me.scopes).toEqual(["READ"]);
    const download = await fetch(`${server.url}/v1/blobs/sha256/${sha256Hex(bytes)}`, { headers: { authorization: `Bearer ${server.adminToken}` } });
    expect(Buffer.from(await download.arrayBuffer()).equals(bytes)).toBe(true);
  });

  it("leaves no trace of an upload the crash cut off, and takes the same upload again", async () => {
    const bytes = randomBytes(2 * 1024 * 1024);
    const hex = sha256Hex(bytes);
    const upload = request(`${server.url}/v1/blobs/sha256/${hex}`, {
      method: "PUT",
      headers: { authorization: `Bearer ${server.adminToken}`, "content-type": "application/octet-stream", "content-length": bytes.length },
    });
    upload.on("error", () => undefined);
    upload.write(bytes.subarray(0, bytes.length / 2));
    const incoming = join(server.dataDir, "blobs", "incoming");
    await waitFor("the upload to reach the server's incoming folder", async () => ((await readdir(incoming)).length > 0 ? true : undefined));

    await crashAndRestart();
    upload.destroy();
    // The new process swept the dead one's partial file at start.
    expect(await readdir(incoming)).toEqual([]);

    const missing = await fetch(`${server.url}/v1/blobs/sha256/${hex}`, { headers: { authorization: `Bearer ${server.adminToken}` } });
    expect(missing.status).toBe(404);
    await admin.fails(`query($d: String!) { blob(digest: $d) { digest } }`, { d: `sha256:${hex}` }, "NOT_FOUND", "BLOB_NOT_FOUND");
    expect((await putBlob(server.url, server.adminToken, bytes)).status).toBe(201);
  });

  it("keeps version numbers gap-free when the server dies amid concurrent registrations", async () => {
    const model = await createModel(admin);
    const digests = await Promise.all(Array.from({ length: 12 }, () => uploadBlob(admin)));
    const inFlight = digests.map((digest) =>
      admin.request(REGISTER_VERSION, { input: { model: model.name, digest, format: "ONNX", precision: "FP32" } }).catch(() => null),
    );
    // Kill once some registrations have committed, while others are still queued or running.
    await waitFor("a first registration to commit", async () => {
      const count = (await admin.ok(SNAPSHOT, { name: model.name })).model.versions.totalCount;
      return count > 0 ? count : undefined;
    });
    await server.kill();
    await Promise.all(inFlight);
    await server.restart();

    const survived = (await admin.ok(SNAPSHOT, { name: model.name })).model.versions;
    const numbers = survived.edges.map((edge: any) => edge.node.version).sort((a: number, b: number) => a - b);
    expect(numbers).toEqual(Array.from({ length: survived.totalCount }, (_, index) => index + 1));
    const next = await registerVersion(admin, model.name);
    expect(next.version).toBe(survived.totalCount + 1);
  });
});
