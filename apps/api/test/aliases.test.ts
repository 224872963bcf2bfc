import { describe, expect, it } from "vitest";
import { createModel, createToken, registerVersion } from "./support/factories";
import { useTestServer } from "./support/use-test-server";
import { createWsClient } from "./support/ws-client";

const api = useTestServer();

const SET_ALIAS = `mutation($input: SetAliasInput!) { setAlias(input: $input) { name version { ref } } }`;
const DELETE_ALIAS = `mutation($model: String!, $alias: String!) { deleteAlias(model: $model, alias: $alias) }`;
const ALIASES = `query($name: String!) {
  model(name: $name) { aliases { name version { ref aliases { name } } history { from { ref } to { ref } actor } } }
}`;

async function modelWithVersions(count: number) {
  const model = await createModel(api.admin);
  for (let index = 0; index < count; index += 1) await registerVersion(api.admin, model.name);
  return model.name;
}

async function aliasesOf(name: string) {
  return (await api.admin.ok(ALIASES, { name })).model.aliases;
}

describe("aliases", () => {
  it("creates and moves an alias, keeping every move in its history", async () => {
    const name = await modelWithVersions(3);
    await api.admin.ok(SET_ALIAS, { input: { model: name, alias: "production", version: 1 } });
    await api.admin.ok(SET_ALIAS, { input: { model: name, alias: "production", version: 3 } });
    // Pointing it where it already points records nothing.
    await api.admin.ok(SET_ALIAS, { input: { model: name, alias: "production", version: 3 } });
    const [production] = await aliasesOf(name);
    expect(production).toEqual({
      name: "production",
      version: { ref: `${name}@v3`, aliases: [{ name: "production" }] },
      history: [
        { from: null, to: { ref: `${name}@v1` }, actor: "admin" },
        { from: { ref: `${name}@v1` }, to: { ref: `${name}@v3` }, actor: "admin" },
      ],
    });
  });

  it("records the token owner as the actor", async () => {
    const name = await modelWithVersions(1);
    const writer = await createToken(api.admin, ["WRITE"]);
    await api.admin.withToken(writer.token).ok(SET_ALIAS, { input: { model: name, alias: "staging", version: 1 } });
    expect((await aliasesOf(name))[0].history[0].actor).toBe("admin");
  });

  it.each([
    ["latest", "ALIAS_RESERVED"],
    ["v2", "ALIAS_RESERVED"],
    ["Production", "INVALID_ALIAS"],
    ["-dash", "INVALID_ALIAS"],
    ["x".repeat(64), "INVALID_ALIAS"],
  ])("refuses the alias name %s with BAD_USER_INPUT/%s and changes nothing", async (alias, reason) => {
    const name = await modelWithVersions(1);
    await api.admin.fails(SET_ALIAS, { input: { model: name, alias, version: 1 } }, "BAD_USER_INPUT", reason);
    expect(await aliasesOf(name)).toEqual([]);
  });

  it("refuses a missing version or model, changing nothing", async () => {
    const name = await modelWithVersions(1);
    await api.admin.ok(SET_ALIAS, { input: { model: name, alias: "production", version: 1 } });
    await api.admin.fails(SET_ALIAS, { input: { model: name, alias: "production", version: 9 } }, "NOT_FOUND", "VERSION_NOT_FOUND");
    await api.admin.fails(SET_ALIAS, { input: { model: "ghost", alias: "production", version: 1 } }, "NOT_FOUND", "MODEL_NOT_FOUND");
    const [production] = await aliasesOf(name);
    expect(production.version.ref).toBe(`${name}@v1`);
    expect(production.history).toHaveLength(1);
  });

  it("deletes an alias; its history survives and shows when it comes back", async () => {
    const name = await modelWithVersions(2);
    await api.admin.ok(SET_ALIAS, { input: { model: name, alias: "canary", version: 1 } });
    expect((await api.admin.ok(DELETE_ALIAS, { model: name, alias: "canary" })).deleteAlias).toBe(true);
    expect(await aliasesOf(name)).toEqual([]);
    await api.admin.fails(DELETE_ALIAS, { model: name, alias: "canary" }, "NOT_FOUND", "ALIAS_NOT_FOUND");
    await api.admin.fails(`query($ref: String!) { modelVersion(ref: $ref) { id } }`, { ref: `${name}@canary` }, "NOT_FOUND", "ALIAS_NOT_FOUND");
    await api.admin.ok(SET_ALIAS, { input: { model: name, alias: "canary", version: 2 } });
    expect((await aliasesOf(name))[0].history).toEqual([
      { from: null, to: { ref: `${name}@v1` }, actor: "admin" },
      { from: { ref: `${name}@v1` }, to: null, actor: "admin" },
      { from: null, to: { ref: `${name}@v2` }, actor: "admin" },
    ]);
  });

  it("keeps the model's whole promotion history, deleted aliases included, oldest first", async () => {
    const name = await modelWithVersions(2);
    await api.admin.ok(SET_ALIAS, { input: { model: name, alias: "staging", version: 1 } });
    await api.admin.ok(SET_ALIAS, { input: { model: name, alias: "production", version: 1 } });
    await api.admin.ok(SET_ALIAS, { input: { model: name, alias: "production", version: 2 } });
    await api.admin.ok(DELETE_ALIAS, { model: name, alias: "staging" });
    const { model } = await api.admin.ok(`query($name: String!) { model(name: $name) { aliases { name } aliasHistory { alias from { ref } to { ref } actor } } }`, { name });
    expect(model.aliases).toEqual([{ name: "production" }]);
    expect(model.aliasHistory).toEqual([
      { alias: "staging", from: null, to: { ref: `${name}@v1` }, actor: "admin" },
      { alias: "production", from: null, to: { ref: `${name}@v1` }, actor: "admin" },
      { alias: "production", from: { ref: `${name}@v1` }, to: { ref: `${name}@v2` }, actor: "admin" },
      { alias: "staging", from: { ref: `${name}@v1` }, to: null, actor: "admin" },
    ]);
  });

  it("streams alias moves of one model to an aliasChanged subscriber over WebSocket", async () => {
    const name = await modelWithVersions(2);
    const other = await modelWithVersions(1);
    const client = createWsClient(api.server.url, api.server.adminToken);
    try {
      const events = client.iterate<{ aliasChanged: { alias: string; actor: string; from: { ref: string } | null; to: { ref: string } | null } }>({
        query: `subscription($model: String!) { aliasChanged(model: $model) { alias actor from { ref } to { ref } } }`,
        variables: { model: name },
      });
      const received: unknown[] = [];
      const collecting = (async () => {
        for await (const event of events) {
          const change = event.data?.aliasChanged;
          received.push(change);
          if (change?.alias === "production" && change.to === null) break;
        }
      })();
      // Keep moving until the subscription is live: the first events may precede it.
      let probes = 0;
      await expect
        .poll(async () => {
          probes += 1;
          await api.admin.ok(SET_ALIAS, { input: { model: other, alias: "noise", version: 1 } });
          await api.admin.ok(SET_ALIAS, { input: { model: name, alias: "probe", version: (probes % 2) + 1 } });
          return received.length;
        }, { timeout: 30_000, interval: 100 })
        .toBeGreaterThan(0);
      await api.admin.ok(SET_ALIAS, { input: { model: name, alias: "production", version: 2 } });
      await api.admin.ok(DELETE_ALIAS, { model: name, alias: "production" });
      await collecting;
      const tail = received.slice(-2);
      expect(received.every((event: any) => event.alias !== "noise")).toBe(true);
      expect(tail).toEqual([
        { alias: "production", actor: "admin", from: null, to: { ref: `${name}@v2` } },
        { alias: "production", actor: "admin", from: { ref: `${name}@v2` }, to: null },
      ]);
    } finally {
      await client.dispose();
    }
  });

  it("refuses a WebSocket subscription without a valid token", async () => {
    const client = createWsClient(api.server.url, "dst_wrong");
    try {
      const events = client.iterate({ query: `subscription { aliasChanged(model: "x") { alias } }` });
      await expect(events.next()).rejects.toMatchObject({ code: 4403 });
    } finally {
      await client.dispose();
    }
  });
});
