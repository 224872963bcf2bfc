import { describe, expect, it } from "vitest";
import { CREATE_MODEL, createModel, uniqueName } from "./support/factories";
import { useTestServer } from "./support/use-test-server";

const api = useTestServer();

const MODEL = `query($name: String!) { model(name: $name) { name role family description tags createdBy } }`;
const COUNT = `{ models(first: 1) { totalCount } }`;
const UPDATE = `mutation($input: UpdateModelInput!) { updateModel(input: $input) { name role family description tags } }`;
const LIST = `query($first: Int, $after: String, $filter: ModelFilter) {
  models(first: $first, after: $after, filter: $filter) {
    totalCount pageInfo { hasNextPage endCursor } edges { cursor node { name } }
  }
}`;

async function modelCount(): Promise<number> {
  return (await api.admin.ok<{ models: { totalCount: number } }>(COUNT)).models.totalCount;
}

describe("models", () => {
  it("creates a model with normalised tags and reads it back by name", async () => {
    const name = uniqueName("teacher");
    const created = await api.admin.ok(CREATE_MODEL, {
      input: { name, role: "TEACHER", family: "unet-sd15", description: "the big one", tags: ["sd", "base", "sd"] },
    });
    expect(created.createModel).toMatchObject({ name, role: "TEACHER", family: "unet-sd15", tags: ["base", "sd"] });
    const read = await api.admin.ok(MODEL, { name });
    expect(read.model).toEqual({ name, role: "TEACHER", family: "unet-sd15", description: "the big one", tags: ["base", "sd"], createdBy: "admin" });
  });

  it("refuses a duplicate name with CONFLICT/MODEL_EXISTS and changes nothing", async () => {
    const first = await createModel(api.admin, { description: "original" });
    const before = await modelCount();
    await api.admin.fails(CREATE_MODEL, { input: { name: first.name, role: "TEACHER", description: "impostor" } }, "CONFLICT", "MODEL_EXISTS");
    expect(await modelCount()).toBe(before);
    expect((await api.admin.ok(MODEL, { name: first.name })).model).toMatchObject({ role: "STUDENT", description: "original" });
  });

  it("keeps exactly one model when the same name is created concurrently", async () => {
    const name = uniqueName("racy");
    const results = await Promise.all(
      Array.from({ length: 8 }, () => api.admin.request(CREATE_MODEL, { input: { name, role: "STUDENT" } })),
    );
    expect(results.filter((result) => !result.errors)).toHaveLength(1);
    for (const failed of results.filter((result) => result.errors)) {
      expect(failed.errors?.[0]?.extensions).toMatchObject({ code: "CONFLICT", reason: "MODEL_EXISTS" });
    }
  });

  it.each([
    ["upper case", "Teacher"],
    ["a space", "my model"],
    ["an @", "a@b"],
    ["empty", ""],
    ["too long", "x".repeat(101)],
  ])("refuses a name with %s as BAD_USER_INPUT/INVALID_NAME", async (_what, name) => {
    const before = await modelCount();
    await api.admin.fails(CREATE_MODEL, { input: { name, role: "STUDENT" } }, "BAD_USER_INPUT", "INVALID_NAME");
    expect(await modelCount()).toBe(before);
  });

  it("refuses bad tags and an unknown role without creating anything", async () => {
    const before = await modelCount();
    await api.admin.fails(CREATE_MODEL, { input: { name: uniqueName(), role: "STUDENT", tags: ["Bad Tag"] } }, "BAD_USER_INPUT", "INVALID_ARGUMENT");
    await api.admin.fails(CREATE_MODEL, { input: { name: uniqueName(), role: "WIZARD" } }, "BAD_USER_INPUT", "INVALID_ARGUMENT");
    expect(await modelCount()).toBe(before);
  });

  it("updates only the fields given", async () => {
    const model = await createModel(api.admin, { family: "unet", description: "before", tags: ["a"] });
    const updated = await api.admin.ok(UPDATE, { input: { name: model.name, description: "after", tags: ["b", "c"] } });
    expect(updated.updateModel).toEqual({ name: model.name, role: "STUDENT", family: "unet", description: "after", tags: ["b", "c"] });
  });

  it("answers NOT_FOUND/MODEL_NOT_FOUND for an unknown model, to reads and writes alike", async () => {
    await api.admin.fails(MODEL, { name: "no-such-model" }, "NOT_FOUND", "MODEL_NOT_FOUND");
    await api.admin.fails(UPDATE, { input: { name: "no-such-model", description: "x" } }, "NOT_FOUND", "MODEL_NOT_FOUND");
  });

  it("pages through models by name with cursors and filters by role, name and tag", async () => {
    const marker = uniqueName("page");
    const names = [`${marker}-a`, `${marker}-b`, `${marker}-c`, `${marker}-d`, `${marker}-e`];
    for (const [index, name] of names.entries()) {
      await createModel(api.admin, { name, role: index % 2 === 0 ? "TEACHER" : "STUDENT", tags: index < 2 ? ["pick"] : [] });
    }
    const seen: string[] = [];
    let after: string | null = null;
    let pages = 0;
    do {
      const page: any = (await api.admin.ok(LIST, { first: 2, after, filter: { nameContains: marker } })).models;
      expect(page.totalCount).toBe(5);
      seen.push(...page.edges.map((edge: any) => edge.node.name));
      after = page.pageInfo.hasNextPage ? page.pageInfo.endCursor : null;
      pages += 1;
    } while (after);
    expect(seen).toEqual(names);
    expect(pages).toBe(3);

    const teachers = (await api.admin.ok(LIST, { first: 10, filter: { nameContains: marker, role: "TEACHER" } })).models;
    expect(teachers.edges.map((edge: any) => edge.node.name)).toEqual([names[0], names[2], names[4]]);
    const tagged = (await api.admin.ok(LIST, { first: 10, filter: { nameContains: marker, tag: "pick" } })).models;
    expect(tagged.edges.map((edge: any) => edge.node.name)).toEqual([names[0], names[1]]);
    const wildcard = (await api.admin.ok(LIST, { first: 10, filter: { nameContains: "%" } })).models;
    expect(wildcard.totalCount).toBe(0);
  });

  it("caps first at 100 and rejects cursors it did not hand out", async () => {
    await api.admin.fails(LIST, { first: 101 }, "BAD_USER_INPUT", "INVALID_ARGUMENT");
    await api.admin.fails(LIST, { first: 0 }, "BAD_USER_INPUT", "INVALID_ARGUMENT");
    await api.admin.fails(LIST, { first: 10, after: "not-a-cursor" }, "BAD_USER_INPUT", "INVALID_CURSOR");
    expect((await api.admin.ok(LIST, { first: 100 })).models.edges.length).toBeLessThanOrEqual(100);
  });
});
