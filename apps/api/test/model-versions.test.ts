import { describe, expect, it } from "vitest";
import { createModel, REGISTER_VERSION, registerVersion, uploadBlob } from "./support/factories";
import { useTestServer } from "./support/use-test-server";

const api = useTestServer();

const RESOLVE = `query($ref: String!, $precision: Precision) {
  modelVersion(ref: $ref, precision: $precision) { ref version precision status }
}`;
const VERSIONS = `query($name: String!, $after: String) {
  model(name: $name) { versions(first: 2, after: $after) { totalCount pageInfo { hasNextPage endCursor } edges { node { version } } } }
}`;
const ARCHIVE = `mutation($ref: String!) { archiveModelVersion(ref: $ref) { ref status } }`;
const SET_ALIAS = `mutation($input: SetAliasInput!) { setAlias(input: $input) { name } }`;

async function versionCount(name: string): Promise<number> {
  return (await api.admin.ok(VERSIONS, { name })).model.versions.totalCount;
}

describe("model versions", () => {
  it("registers a version of an uploaded blob with size, params and metadata", async () => {
    const model = await createModel(api.admin);
    const digest = await uploadBlob(api.admin, 1234);
    const data = await api.admin.ok(REGISTER_VERSION, {
      input: { model: model.name, digest, format: "ONNX", precision: "FP16", params: 5_000_000_000, metadata: { channels: [64, 128] } },
    });
    expect(data.registerModelVersion).toMatchObject({
      version: 1,
      ref: `${model.name}@v1`,
      status: "READY",
      format: "ONNX",
      precision: "FP16",
      digest,
      sizeBytes: 1234,
      params: 5_000_000_000,
      metadata: { channels: [64, 128] },
      parents: [],
    });
  });

  it("refuses a digest that was never uploaded, a malformed digest and an unknown model, changing nothing", async () => {
    const model = await createModel(api.admin);
    const missing = `sha256:${"ab".repeat(32)}`;
    await api.admin.fails(REGISTER_VERSION, { input: { model: model.name, digest: missing, format: "ONNX", precision: "FP32" } }, "NOT_FOUND", "BLOB_NOT_FOUND");
    await api.admin.fails(REGISTER_VERSION, { input: { model: model.name, digest: "md5:abc", format: "ONNX", precision: "FP32" } }, "BAD_USER_INPUT", "INVALID_DIGEST");
    const digest = await uploadBlob(api.admin);
    await api.admin.fails(REGISTER_VERSION, { input: { model: "no-such-model", digest, format: "ONNX", precision: "FP32" } }, "NOT_FOUND", "MODEL_NOT_FOUND");
    await api.admin.fails(REGISTER_VERSION, { input: { model: model.name, digest, format: "ONNX", precision: "FP32", params: -1 } }, "BAD_USER_INPUT", "INVALID_ARGUMENT");
    expect(await versionCount(model.name)).toBe(0);
    // The failed attempts consumed no version numbers.
    expect((await registerVersion(api.admin, model.name, { digest })).version).toBe(1);
  });

  it("refuses a parent ref to a missing version and keeps numbering gap-free", async () => {
    const model = await createModel(api.admin);
    await registerVersion(api.admin, model.name);
    const digest = await uploadBlob(api.admin);
    for (const ref of [`${model.name}@v7`, `${model.name}@nightly`, "ghost-model"]) {
      const result = await api.admin.request(REGISTER_VERSION, {
        input: { model: model.name, digest, format: "ONNX", precision: "INT8", parents: [{ ref, relation: "QUANTIZED_FROM" }] },
      });
      expect(result.errors?.[0]?.extensions.code).toBe("NOT_FOUND");
    }
    await api.admin.fails(
      REGISTER_VERSION,
      { input: { model: model.name, digest, format: "ONNX", precision: "INT8", parents: [{ ref: "Bad Ref!", relation: "QUANTIZED_FROM" }] } },
      "BAD_USER_INPUT",
      "INVALID_REF",
    );
    expect(await versionCount(model.name)).toBe(1);
    expect((await registerVersion(api.admin, model.name, { digest })).version).toBe(2);
  });

  it("hands out gap-free, unique version numbers to 20 racing registrations", async () => {
    const model = await createModel(api.admin);
    const digests = await Promise.all(Array.from({ length: 20 }, () => uploadBlob(api.admin)));
    const results = await Promise.all(
      digests.map((digest) => api.admin.request(REGISTER_VERSION, { input: { model: model.name, digest, format: "ONNX", precision: "FP32" } })),
    );
    for (const result of results) expect(result.errors).toBeUndefined();
    const numbers = results.map((result) => result.data!.registerModelVersion.version).sort((a: number, b: number) => a - b);
    expect(numbers).toEqual(Array.from({ length: 20 }, (_, index) => index + 1));
    expect(await versionCount(model.name)).toBe(20);
  });

  it("records lineage teacher -> student -> int8 and walks it both ways", async () => {
    const teacher = await createModel(api.admin, { role: "TEACHER" });
    const student = await createModel(api.admin, { role: "STUDENT" });
    await registerVersion(api.admin, teacher.name);
    const fp32 = await registerVersion(api.admin, student.name, {
      parents: [{ ref: teacher.name, relation: "DISTILLED_FROM", recipe: { strategy: "progressive", temperature: 2 } }],
    });
    const int8 = await registerVersion(api.admin, student.name, {
      precision: "INT8",
      parents: [{ ref: fp32.ref, relation: "QUANTIZED_FROM", recipe: { method: "static", calibrationSamples: 256 } }],
    });
    const graph = await api.admin.ok(
      `query($ref: String!) { modelVersion(ref: $ref) {
        ref
        parents { relation recipe version { ref parents { relation version { ref model { role } } } } }
      } }`,
      { ref: int8.ref },
    );
    expect(graph.modelVersion).toEqual({
      ref: `${student.name}@v2`,
      parents: [
        {
          relation: "QUANTIZED_FROM",
          recipe: { method: "static", calibrationSamples: 256 },
          version: { ref: `${student.name}@v1`, parents: [{ relation: "DISTILLED_FROM", version: { ref: `${teacher.name}@v1`, model: { role: "TEACHER" } } }] },
        },
      ],
    });
    const down = await api.admin.ok(`query($ref: String!) { modelVersion(ref: $ref) { children { relation version { ref children { relation version { ref } } } } } }`, {
      ref: `${teacher.name}@v1`,
    });
    expect(down.modelVersion.children).toEqual([
      { relation: "DISTILLED_FROM", version: { ref: fp32.ref, children: [{ relation: "QUANTIZED_FROM", version: { ref: int8.ref } }] } },
    ]);
  });

  it("resolves name, name@latest, name@vN, name@alias, and an alias in another precision", async () => {
    const model = await createModel(api.admin);
    const v1 = await registerVersion(api.admin, model.name);
    const v2 = await registerVersion(api.admin, model.name, { precision: "INT8", parents: [{ ref: v1.ref, relation: "QUANTIZED_FROM" }] });
    const v3 = await registerVersion(api.admin, model.name, { precision: "FP16", parents: [{ ref: v1.ref, relation: "QUANTIZED_FROM" }] });
    await api.admin.ok(SET_ALIAS, { input: { model: model.name, alias: "production", version: 1 } });

    const resolve = async (ref: string, precision?: string) => (await api.admin.ok(RESOLVE, { ref, precision })).modelVersion.ref;
    expect(await resolve(model.name)).toBe(v3.ref);
    expect(await resolve(`${model.name}@latest`)).toBe(v3.ref);
    expect(await resolve(`${model.name}@v2`)).toBe(v2.ref);
    expect(await resolve(`${model.name}@production`)).toBe(v1.ref);
    expect(await resolve(`${model.name}@production`, "INT8")).toBe(v2.ref);
    expect(await resolve(`${model.name}@production`, "FP16")).toBe(v3.ref);
    expect(await resolve(`${model.name}@production`, "FP32")).toBe(v1.ref);

    // A newer int8 build of production wins.
    const v4 = await registerVersion(api.admin, model.name, { precision: "INT8", parents: [{ ref: v1.ref, relation: "QUANTIZED_FROM" }] });
    expect(await resolve(`${model.name}@production`, "INT8")).toBe(v4.ref);

    await api.admin.fails(RESOLVE, { ref: `${model.name}@v2`, precision: "FP16" }, "NOT_FOUND", "VERSION_NOT_FOUND");
    await api.admin.fails(RESOLVE, { ref: `${model.name}@v99` }, "NOT_FOUND", "VERSION_NOT_FOUND");
    await api.admin.fails(RESOLVE, { ref: `${model.name}@staging` }, "NOT_FOUND", "ALIAS_NOT_FOUND");
    await api.admin.fails(RESOLVE, { ref: `${model.name}@v0` }, "BAD_USER_INPUT", "INVALID_REF");
    await api.admin.fails(RESOLVE, { ref: "UPPER@v1" }, "BAD_USER_INPUT", "INVALID_REF");
  });

  it("pages versions newest first", async () => {
    const model = await createModel(api.admin);
    for (let index = 0; index < 3; index += 1) await registerVersion(api.admin, model.name);
    const first = (await api.admin.ok(VERSIONS, { name: model.name })).model.versions;
    expect(first.edges.map((edge: any) => edge.node.version)).toEqual([3, 2]);
    const second = (await api.admin.ok(VERSIONS, { name: model.name, after: first.pageInfo.endCursor })).model.versions;
    expect(second.edges.map((edge: any) => edge.node.version)).toEqual([1]);
    expect(second.pageInfo.hasNextPage).toBe(false);
  });

  it("archives a version: it stops being latest, keeps its number, and cannot be aliased", async () => {
    const model = await createModel(api.admin);
    await registerVersion(api.admin, model.name);
    const v2 = await registerVersion(api.admin, model.name);
    expect((await api.admin.ok(ARCHIVE, { ref: v2.ref })).archiveModelVersion).toEqual({ ref: v2.ref, status: "ARCHIVED" });
    expect((await api.admin.ok(RESOLVE, { ref: model.name })).modelVersion.version).toBe(1);
    expect((await api.admin.ok(RESOLVE, { ref: v2.ref })).modelVersion.status).toBe("ARCHIVED");
    await api.admin.fails(SET_ALIAS, { input: { model: model.name, alias: "production", version: 2 } }, "CONFLICT", "VERSION_ARCHIVED");
    // Archiving twice is harmless.
    expect((await api.admin.ok(ARCHIVE, { ref: v2.ref })).archiveModelVersion.status).toBe("ARCHIVED");
  });

  it("refuses to archive a version an alias points at, changing nothing", async () => {
    const model = await createModel(api.admin);
    const v1 = await registerVersion(api.admin, model.name);
    await api.admin.ok(SET_ALIAS, { input: { model: model.name, alias: "production", version: 1 } });
    const error = await api.admin.fails(ARCHIVE, { ref: v1.ref }, "CONFLICT", "VERSION_HAS_ALIASES");
    expect(error.extensions.details).toEqual({ aliases: ["production"] });
    expect((await api.admin.ok(RESOLVE, { ref: v1.ref })).modelVersion.status).toBe("READY");
  });
});
