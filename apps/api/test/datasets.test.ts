import { describe, expect, it } from "vitest";
import { uniqueName, uploadBlob } from "./support/factories";
import { useTestServer } from "./support/use-test-server";

const api = useTestServer();

const FIELDS = "id name version ref digest sizeBytes format sampleCount imageShape classNames description createdBy createdAt";
const REGISTER = `mutation($input: RegisterDatasetInput!) { registerDataset(input: $input) { ${FIELDS} } }`;
const RESOLVE = `query($ref: String!) { dataset(ref: $ref) { ${FIELDS} } }`;
const LIST = `query($first: Int!, $after: String) {
  datasets(first: $first, after: $after) { totalCount pageInfo { hasNextPage endCursor } edges { cursor node { ref digest } } }
}`;

const FASHION_CLASSES = ["t-shirt/top", "trouser", "pullover", "dress", "coat", "sandal", "shirt", "sneaker", "bag", "ankle boot"];

interface Dataset {
  id: string;
  name: string;
  version: number;
  ref: string;
  digest: string;
}

/** A valid RegisterDatasetInput of a fresh name and a freshly uploaded blob. */
async function inputOf(overrides: Record<string, unknown> = {}): Promise<Record<string, unknown>> {
  const digest = (overrides.digest as string | undefined) ?? (await uploadBlob(api.admin));
  return { name: uniqueName("dataset"), digest, sampleCount: 512, imageShape: [1, 16, 16], classNames: ["a", "b", "c", "d"], ...overrides };
}

async function register(overrides: Record<string, unknown> = {}): Promise<Dataset> {
  return (await api.admin.ok<{ registerDataset: Dataset }>(REGISTER, { input: await inputOf(overrides) })).registerDataset;
}

/** Every dataset version the API lists, newest first, paging through all of them. */
async function listAll(pageSize = 100): Promise<string[]> {
  const refs: string[] = [];
  let after: string | null = null;
  for (;;) {
    const page: any = (await api.admin.ok(LIST, { first: pageSize, after })).datasets;
    refs.push(...page.edges.map((edge: any) => edge.node.ref));
    if (!page.pageInfo.hasNextPage) return refs;
    after = page.pageInfo.endCursor;
  }
}

describe("datasets", () => {
  it("registers an uploaded blob as version 1, then 2, of one name, with the blob's digest and size", async () => {
    const name = uniqueName("fashion-mnist-train");
    const digest = await uploadBlob(api.admin, 1234);
    const input = { name, digest, sampleCount: 60_000, imageShape: [1, 16, 16], classNames: FASHION_CLASSES };
    const v1 = (await api.admin.ok(REGISTER, { input })).registerDataset;
    expect(v1).toEqual({
      id: expect.any(String),
      name,
      version: 1,
      ref: `${name}@v1`,
      digest,
      sizeBytes: 1234,
      format: "NPZ",
      sampleCount: 60_000,
      imageShape: [1, 16, 16],
      classNames: FASHION_CLASSES,
      description: "",
      createdBy: "admin",
      createdAt: expect.any(String),
    });

    const other = await uploadBlob(api.admin, 99);
    const v2 = (
      await api.admin.ok(REGISTER, {
        input: { name, digest: other, format: "NPZ", sampleCount: 100, imageShape: [3, 28, 32], classNames: ["cat", "dog"], description: "a smaller cut" },
      })
    ).registerDataset;
    expect(v2).toMatchObject({ name, version: 2, ref: `${name}@v2`, digest: other, sizeBytes: 99, sampleCount: 100, imageShape: [3, 28, 32], classNames: ["cat", "dog"], description: "a smaller cut" });
    expect(v2.id).not.toBe(v1.id);
    // The same blob may back versions of several names: datasets are content-addressed, not owned.
    expect(await register({ digest })).toMatchObject({ version: 1, digest, sizeBytes: 1234 });
  });

  it("resolves name to the newest version and name@v<N> to version N", async () => {
    const v1 = await register();
    const v2 = await register({ name: v1.name });
    const resolve = async (ref: string) => (await api.admin.ok<{ dataset: Dataset }>(RESOLVE, { ref })).dataset;
    expect(await resolve(v1.name)).toEqual(v2);
    expect(await resolve(`${v1.name}@latest`)).toEqual(v2);
    expect(await resolve(`${v1.name}@v1`)).toEqual(v1);
    expect(await resolve(v2.ref)).toEqual(v2);
  });

  it("pages every version of every dataset newest first", async () => {
    const before = await listAll();
    const a = await register();
    const b = await register();
    const a2 = await register({ name: a.name });
    const first = (await api.admin.ok(LIST, { first: 2 })).datasets;
    expect(first.totalCount).toBe(before.length + 3);
    expect(first.edges.map((edge: any) => edge.node.ref)).toEqual([a2.ref, b.ref]);
    expect(first.pageInfo).toEqual({ hasNextPage: true, endCursor: first.edges[1].cursor });
    const second = (await api.admin.ok(LIST, { first: 2, after: first.pageInfo.endCursor })).datasets;
    expect(second.edges.map((edge: any) => edge.node.ref)).toEqual([a.ref, ...before.slice(0, 1)]);
    // Small pages walk the same list as one big one, to the end.
    expect(await listAll(2)).toEqual([a2.ref, b.ref, a.ref, ...before]);
    expect(await listAll(1)).toEqual(await listAll(100));

    await api.admin.fails(LIST, { first: 2, after: "not-a-cursor" }, "BAD_USER_INPUT", "INVALID_CURSOR");
    await api.admin.fails(LIST, { first: 2, after: Buffer.from(JSON.stringify("00000000-0000-0000-0000-000000000000")).toString("base64url") }, "BAD_USER_INPUT", "INVALID_CURSOR");
    await api.admin.fails(LIST, { first: 0 }, "BAD_USER_INPUT", "INVALID_ARGUMENT");
    await api.admin.fails(LIST, { first: 101 }, "BAD_USER_INPUT", "INVALID_ARGUMENT");
  });

  describe("refuses, changing nothing", () => {
    /** Runs a registration that must fail with code/reason, and checks no dataset appeared or changed. */
    async function refused(input: Record<string, unknown>, code: string, reason: string) {
      const before = await listAll();
      const error = await api.admin.fails(REGISTER, { input }, code, reason);
      expect(await listAll(), `${reason} left a dataset behind`).toEqual(before);
      return error;
    }

    it("a digest that was never uploaded (BLOB_NOT_FOUND) or is malformed (INVALID_DIGEST)", async () => {
      const input = await inputOf();
      const missing = `sha256:${"ab".repeat(32)}`;
      const error = await refused({ ...input, digest: missing }, "NOT_FOUND", "BLOB_NOT_FOUND");
      expect(error.extensions.details).toEqual({ digest: missing });
      await refused({ ...input, digest: "md5:abc" }, "BAD_USER_INPUT", "INVALID_DIGEST");
      // The failed attempts took no version number.
      expect((await api.admin.ok(REGISTER, { input })).registerDataset.version).toBe(1);
    });

    it("a name that is not a slug (INVALID_NAME)", async () => {
      const input = await inputOf();
      for (const name of ["Fashion MNIST", "fashion@v1", "-fashion", "", "x".repeat(101)]) {
        await refused({ ...input, name }, "BAD_USER_INPUT", "INVALID_NAME");
      }
    });

    it("an image shape that is not [C, H, W], a sample count below 1, and bad class names (INVALID_ARGUMENT)", async () => {
      const input = await inputOf();
      for (const imageShape of [[], [16, 16], [1, 16, 16, 1], [0, 16, 16], [5, 16, 16], [1, -16, 16], [1, 16, 0], [1, 16, 8193]]) {
        const error = await refused({ ...input, imageShape }, "BAD_USER_INPUT", "INVALID_ARGUMENT");
        expect(error.extensions.details, JSON.stringify(imageShape)).toMatchObject({ field: "imageShape" });
      }
      for (const sampleCount of [0, -1]) {
        const error = await refused({ ...input, sampleCount }, "BAD_USER_INPUT", "INVALID_ARGUMENT");
        expect(error.extensions.details).toMatchObject({ field: "sampleCount" });
      }
      for (const classNames of [[], ["a", ""], ["a", "b", "a"], ["x".repeat(201)]]) {
        const error = await refused({ ...input, classNames }, "BAD_USER_INPUT", "INVALID_ARGUMENT");
        expect(error.extensions.details, JSON.stringify(classNames)).toMatchObject({ field: "classNames" });
      }
      expect((await api.admin.ok(REGISTER, { input })).registerDataset.version).toBe(1);
    });

    it("an unknown ref (DATASET_NOT_FOUND) and a malformed one (INVALID_REF)", async () => {
      const known = await register();
      const before = await listAll();
      for (const ref of [uniqueName("no-such-dataset"), `${known.name}@v2`, `${uniqueName("no-such-dataset")}@v1`]) {
        const error = await api.admin.fails(RESOLVE, { ref }, "NOT_FOUND", "DATASET_NOT_FOUND");
        expect(error.extensions.details).toEqual({ ref });
      }
      for (const ref of ["Bad Ref!", `${known.name}@v0`, `${known.name}@production`, `${known.name}@`, ""]) {
        await api.admin.fails(RESOLVE, { ref }, "BAD_USER_INPUT", "INVALID_REF");
      }
      expect(await listAll()).toEqual(before);
      expect((await api.admin.ok(RESOLVE, { ref: known.name })).dataset).toEqual(known);
    });
  });

  it("hands out gap-free, unique version numbers to 10 racing registrations of one name", async () => {
    const name = uniqueName("racing");
    const digests = await Promise.all(Array.from({ length: 10 }, () => uploadBlob(api.admin)));
    const results = await Promise.all(
      digests.map((digest) => api.admin.request(REGISTER, { input: { name, digest, sampleCount: 8, imageShape: [1, 8, 8], classNames: ["a"] } })),
    );
    for (const result of results) expect(result.errors).toBeUndefined();
    const registered: Dataset[] = results.map((result) => result.data!.registerDataset);
    expect(registered.map((dataset) => dataset.version).sort((x, y) => x - y)).toEqual(Array.from({ length: 10 }, (_, index) => index + 1));
    expect(new Set(registered.map((dataset) => dataset.digest))).toEqual(new Set(digests));
    expect((await api.admin.ok(RESOLVE, { ref: name })).dataset.version).toBe(10);
    // Newest first keeps a name's versions in order, however their transactions overlapped.
    const listed = (await listAll()).filter((ref) => ref.startsWith(`${name}@`));
    expect(listed).toEqual(Array.from({ length: 10 }, (_, index) => `${name}@v${10 - index}`));
  });
});
