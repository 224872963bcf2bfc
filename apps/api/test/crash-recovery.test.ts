import { randomBytes } from "node:crypto";
import { readdir, readFile } from "node:fs/promises";
import { request } from "node:http";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { createModel, createToken, putBlob, REGISTER_VERSION, registerVersion, sha256Hex, uploadBlob } from "./support/factories";
import { useTestServer } from "./support/use-test-server";
import { databaseKind } from "./support/test-database";
import { waitFor } from "./support/wait-for";

const api = useTestServer();

const SNAPSHOT = `query($name: String!) {
  model(name: $name) {
    name
    versions(first: 100) { totalCount edges { node { version digest sizeBytes precision parents { relation version { ref } } } } }
    aliases { name version { ref } history { from { ref } to { ref } } }
  }
}`;

/** Kills the API with SIGKILL (no shutdown hooks run) and starts a new process on the same data. */
async function crashAndRestart(): Promise<void> {
  await api.server.kill();
  await api.server.restart();
}

describe(`after SIGKILL (${databaseKind})`, () => {
  it("keeps every committed model, version, alias, token and blob, and mints no second admin token", async () => {
    const model = await createModel(api.admin);
    const bytes = randomBytes(4096);
    expect((await putBlob(api.server.url, api.server.adminToken, bytes)).status).toBe(201);
    await registerVersion(api.admin, model.name, { digest: `sha256:${sha256Hex(bytes)}` });
    await registerVersion(api.admin, model.name, { precision: "INT8", parents: [{ ref: `${model.name}@v1`, relation: "QUANTIZED_FROM" }] });
    await api.admin.ok(`mutation($input: SetAliasInput!) { setAlias(input: $input) { name } }`, { input: { model: model.name, alias: "production", version: 1 } });
    const reader = await createToken(api.admin, ["READ"]);
    const before = await api.admin.ok(SNAPSHOT, { name: model.name });
    const tokensBefore = (await api.admin.ok(`{ apiTokens { id } }`)).apiTokens;
    const adminTokenFile = await readFile(join(api.server.dataDir, "admin-token"), "utf8");

    await crashAndRestart();

    expect(await api.admin.ok(SNAPSHOT, { name: model.name })).toEqual(before);
    expect((await api.admin.ok(`{ apiTokens { id } }`)).apiTokens).toEqual(tokensBefore);
    expect(await readFile(join(api.server.dataDir, "admin-token"), "utf8")).toBe(adminTokenFile);
    expect((await api.admin.withToken(reader.token).ok(`{ me { scopes } }`)).me.scopes).toEqual(["READ"]);
    const download = await fetch(`${api.server.url}/v1/blobs/sha256/${sha256Hex(bytes)}`, { headers: { authorization: `Bearer ${api.server.adminToken}` } });
    expect(Buffer.from(await download.arrayBuffer()).equals(bytes)).toBe(true);
  });

  it("leaves no trace of an upload the crash cut off, and takes the same upload again", async () => {
    const bytes = randomBytes(2 * 1024 * 1024);
    const hex = sha256Hex(bytes);
    const upload = request(`${api.server.url}/v1/blobs/sha256/${hex}`, {
      method: "PUT",
      headers: { authorization: `Bearer ${api.server.adminToken}`, "content-type": "application/octet-stream", "content-length": bytes.length },
    });
    upload.on("error", () => undefined);
    upload.write(bytes.subarray(0, bytes.length / 2));
    const incoming = join(api.server.dataDir, "blobs", "incoming");
    await waitFor("the upload to reach the server's incoming folder", async () => ((await readdir(incoming)).length > 0 ? true : undefined));

    await crashAndRestart();
    upload.destroy();
    // The new process swept the dead one's partial file at start.
    expect(await readdir(incoming)).toEqual([]);

    const missing = await fetch(`${api.server.url}/v1/blobs/sha256/${hex}`, { headers: { authorization: `Bearer ${api.server.adminToken}` } });
    expect(missing.status).toBe(404);
    await api.admin.fails(`query($d: String!) { blob(digest: $d) { digest } }`, { d: `sha256:${hex}` }, "NOT_FOUND", "BLOB_NOT_FOUND");
    expect((await putBlob(api.server.url, api.server.adminToken, bytes)).status).toBe(201);
  });

  it("keeps version numbers gap-free when the server dies amid concurrent registrations", async () => {
    const model = await createModel(api.admin);
    const digests = await Promise.all(Array.from({ length: 12 }, () => uploadBlob(api.admin)));
    const inFlight = digests.map((digest) =>
      api.admin.request(REGISTER_VERSION, { input: { model: model.name, digest, format: "ONNX", precision: "FP32" } }).catch(() => null),
    );
    // Kill once some registrations have committed, while others are still queued or running.
    await waitFor("a first registration to commit", async () => {
      const count = (await api.admin.ok(SNAPSHOT, { name: model.name })).model.versions.totalCount;
      return count > 0 ? count : undefined;
    });
    await api.server.kill();
    await Promise.all(inFlight);
    await api.server.restart();

    const survived = (await api.admin.ok(SNAPSHOT, { name: model.name })).model.versions;
    const numbers = survived.edges.map((edge: any) => edge.node.version).sort((a: number, b: number) => a - b);
    expect(numbers).toEqual(Array.from({ length: survived.totalCount }, (_, index) => index + 1));
    const next = await registerVersion(api.admin, model.name);
    expect(next.version).toBe(survived.totalCount + 1);
  });
});
