import { createHash, randomUUID } from "node:crypto";
import { stat } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { CREATE_MODEL, createToken, uniqueName } from "./support/factories";
import { GraphQLClient, type GraphQLResponse } from "./support/graphql-client";
import { useTestServer } from "./support/use-test-server";
import { waitFor } from "./support/wait-for";

const TOKEN_FIELDS = "id name prefix scopes owner createdAt expiresAt revokedAt lastUsedAt";

const CREATE_TOKEN = `
  mutation CreateToken($input: CreateApiTokenInput!) {
    createApiToken(input: $input) { token apiToken { ${TOKEN_FIELDS} } }
  }`;
const REVOKE_TOKEN = `mutation Revoke($id: ID!) { revokeApiToken(id: $id) { ${TOKEN_FIELDS} } }`;
const ME = `{ me { ${TOKEN_FIELDS} } }`;
const API_TOKENS = `{ apiTokens { ${TOKEN_FIELDS} } }`;
const MODEL_COUNT = `{ models { totalCount } }`;

interface ApiToken {
  id: string;
  name: string;
  prefix: string;
  scopes: string[];
  owner: string;
  createdAt: string;
  expiresAt: string | null;
  revokedAt: string | null;
  lastUsedAt: string | null;
}

const api = useTestServer();

async function listTokens(): Promise<ApiToken[]> {
  return (await api.admin.ok<{ apiTokens: ApiToken[] }>(API_TOKENS)).apiTokens;
}

async function tokenCount(): Promise<number> {
  return (await listTokens()).length;
}

async function modelCount(): Promise<number> {
  return (await api.admin.ok<{ models: { totalCount: number } }>(MODEL_COUNT)).models.totalCount;
}

async function createApiToken(input: Record<string, unknown>): Promise<{ token: string; apiToken: ApiToken }> {
  const data = await api.admin.ok<{ createApiToken: { token: string; apiToken: ApiToken } }>(CREATE_TOKEN, { input });
  return data.createApiToken;
}

/** A request refused before any resolver ran: HTTP 401, UNAUTHENTICATED with this reason. */
function expectUnauthenticated(result: GraphQLResponse, reason: string): void {
  expect(result.status, JSON.stringify(result.errors)).toBe(401);
  expect(result.errors?.[0]?.extensions).toMatchObject({ code: "UNAUTHENTICATED", reason });
}

describe("API tokens", () => {
  it("creates a dst_ token, shown once, that authenticates as itself", async () => {
    const name = uniqueName("ci");
    const { token, apiToken } = await createApiToken({ name, scopes: ["WRITE", "RUNNER"] });
    expect(token).toMatch(/^dst_[A-Za-z0-9_-]{20,}$/);
    expect(apiToken.prefix).toMatch(/^dst_/);
    expect(apiToken.prefix.length).toBeLessThan(token.length);
    expect(token.startsWith(apiToken.prefix)).toBe(true);
    expect(apiToken).toMatchObject({ name, owner: "admin", revokedAt: null, expiresAt: null, lastUsedAt: null });
    expect([...apiToken.scopes].sort()).toEqual(["RUNNER", "WRITE"]);

    const { me } = await api.admin.withToken(token).ok<{ me: ApiToken }>(ME);
    expect(me).toMatchObject({ id: apiToken.id, name, owner: "admin", prefix: apiToken.prefix });
    expect([...me.scopes].sort()).toEqual(["RUNNER", "WRITE"]);
  });

  it("acts for the owner it was given", async () => {
    const { token } = await createApiToken({ name: uniqueName("bot"), scopes: ["READ"], owner: "ci-bot" });
    const { me } = await api.admin.withToken(token).ok<{ me: ApiToken }>(ME);
    expect(me.owner).toBe("ci-bot");
  });

  it("lists tokens without ever showing the secret or its hash", async () => {
    const { token, apiToken } = await createApiToken({ name: uniqueName("listed"), scopes: ["READ"] });
    const result = await api.admin.request(API_TOKENS);
    expect(result.errors).toBeUndefined();
    const listed = (result.data as { apiTokens: ApiToken[] }).apiTokens;
    expect(listed.find((entry) => entry.id === apiToken.id)).toEqual(apiToken);
    expect(listed.find((entry) => entry.name === "admin")?.scopes).toEqual(["ADMIN"]);

    const body = JSON.stringify(result);
    const secretPart = token.slice(apiToken.prefix.length);
    for (const secret of [token, secretPart, createHash("sha256").update(token).digest("hex")]) {
      expect(body).not.toContain(secret);
    }
    for (const adminSecret of [api.server.adminToken, api.server.adminToken.slice(12)]) expect(body).not.toContain(adminSecret);
  });

  it.each([
    ["no scopes", { name: "no-scopes", scopes: [] }],
    ["an empty name", { name: "", scopes: ["READ"] }],
    ["a blank name", { name: "   ", scopes: ["READ"] }],
    ["an expiry in the past", { name: "expired", scopes: ["READ"], expiresAt: new Date(Date.now() - 60_000).toISOString() }],
  ])("refuses a token with %s as BAD_USER_INPUT and creates nothing", async (_what, input) => {
    const before = await tokenCount();
    await api.admin.fails(CREATE_TOKEN, { input }, "BAD_USER_INPUT", "INVALID_ARGUMENT");
    expect(await tokenCount()).toBe(before);
  });

  it("refuses a READ token's createModel with FORBIDDEN and creates nothing", async () => {
    const reader = api.admin.withToken((await createToken(api.admin, ["READ"])).token);
    const before = await modelCount();
    const name = uniqueName();
    const error = await reader.fails(CREATE_MODEL, { input: { name, role: "STUDENT" } }, "FORBIDDEN", "FORBIDDEN");
    expect(error.message).toMatch(/WRITE/);
    expect(await modelCount()).toBe(before);
    await api.admin.fails(`query($name: String!) { model(name: $name) { id } }`, { name }, "NOT_FOUND", "MODEL_NOT_FOUND");
  });

  it("refuses a WRITE token's createApiToken with FORBIDDEN and creates nothing", async () => {
    const writer = api.admin.withToken((await createToken(api.admin, ["WRITE"])).token);
    const before = await tokenCount();
    await writer.fails(CREATE_TOKEN, { input: { name: uniqueName("escalate"), scopes: ["ADMIN"] } }, "FORBIDDEN", "FORBIDDEN");
    await writer.fails(API_TOKENS, {}, "FORBIDDEN", "FORBIDDEN");
    expect(await tokenCount()).toBe(before);
  });

  it("revokes a token at once, idempotently, keeping the first revocation time", async () => {
    const { token, apiToken } = await createApiToken({ name: uniqueName("revoked"), scopes: ["READ"] });
    const client = api.admin.withToken(token);
    await client.ok(ME);

    const first = (await api.admin.ok<{ revokeApiToken: ApiToken }>(REVOKE_TOKEN, { id: apiToken.id })).revokeApiToken;
    expect(first.id).toBe(apiToken.id);
    expect(first.revokedAt).not.toBeNull();
    expect(Number.isNaN(Date.parse(first.revokedAt!))).toBe(false);

    expectUnauthenticated(await client.request(ME), "TOKEN_REVOKED");

    const again = (await api.admin.ok<{ revokeApiToken: ApiToken }>(REVOKE_TOKEN, { id: apiToken.id })).revokeApiToken;
    expect(again.revokedAt).toBe(first.revokedAt);
    expect((await listTokens()).find((entry) => entry.id === apiToken.id)?.revokedAt).toBe(first.revokedAt);
    expectUnauthenticated(await client.request(ME), "TOKEN_REVOKED");
  });

  it("refuses to revoke an unknown id (NOT_FOUND) or a malformed one (BAD_USER_INPUT)", async () => {
    await api.admin.fails(REVOKE_TOKEN, { id: randomUUID() }, "NOT_FOUND", "TOKEN_NOT_FOUND");
    await api.admin.fails(REVOKE_TOKEN, { id: "not-a-uuid" }, "BAD_USER_INPUT", "INVALID_ARGUMENT");
  });

  it("refuses an unknown token with 401 TOKEN_INVALID", async () => {
    expectUnauthenticated(await api.admin.withToken("dst_unknown").request(ME), "TOKEN_INVALID");
    expectUnauthenticated(await api.admin.withToken(`${api.server.adminToken}x`).request(ME), "TOKEN_INVALID");
  });

  it("stops accepting a token once it expires", async () => {
    const expiresAt = new Date(Date.now() + 2_000).toISOString();
    const { token, apiToken } = await createApiToken({ name: uniqueName("short"), scopes: ["READ"], expiresAt });
    expect(Date.parse(apiToken.expiresAt!)).toBe(Date.parse(expiresAt));
    const client = api.admin.withToken(token);
    await client.ok(ME);

    const refused = await waitFor(
      "the token to expire",
      async () => {
        const result = await client.request(ME);
        return result.status === 401 ? result : undefined;
      },
      30_000,
    );
    expectUnauthenticated(refused, "TOKEN_EXPIRED");
    expect(Date.now()).toBeGreaterThanOrEqual(Date.parse(expiresAt) - 1_000);
  });

  it("records when a token was last used", async () => {
    const { token, apiToken } = await createApiToken({ name: uniqueName("used"), scopes: ["READ"] });
    expect((await listTokens()).find((entry) => entry.id === apiToken.id)?.lastUsedAt).toBeNull();
    const startedAt = Date.now();
    await api.admin.withToken(token).ok(ME);
    const lastUsedAt = (await listTokens()).find((entry) => entry.id === apiToken.id)?.lastUsedAt;
    expect(lastUsedAt).not.toBeNull();
    // Stamped by the database clock, which may differ from ours by a little.
    expect(Math.abs(Date.parse(lastUsedAt!) - startedAt)).toBeLessThan(60_000);
  });

  it("writes the bootstrap admin token to <dataDir>/admin-token, readable by its owner only", async () => {
    const file = await stat(join(api.server.dataDir, "admin-token"));
    expect((file.mode & 0o777).toString(8)).toBe("600");
    expect(api.server.adminToken).toMatch(/^dst_/);
    const { me } = await api.admin.ok<{ me: ApiToken }>(ME);
    expect(me).toMatchObject({ name: "admin", owner: "admin", scopes: ["ADMIN"], expiresAt: null, revokedAt: null });
    expect(api.server.adminToken.startsWith(me.prefix)).toBe(true);
  });
});
