import { createHash, randomBytes } from "node:crypto";
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { writeModel } from "@distillery/onnx";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ApiServer, startApiServer } from "./support/api-server";
import { cli } from "./support/cli-process";

const MIB = 1024 * 1024;
/** onnx.TensorProto.DataType.INT8 */
const ONNX_INT8 = 3;

describe("distillery push (the CLI as a child process, the real API on PGlite)", () => {
  let server: ApiServer;
  let scratch: string;
  let fileCount = 0;

  const distillery = (args: string[], env: NodeJS.ProcessEnv = {}) =>
    cli(args, { cwd: scratch, env: { DISTILLERY_API: server.url, DISTILLERY_TOKEN: server.admin, ...env } });
  const graphql = async (query: string, variables: Record<string, unknown> = {}) => {
    const answer = await server.graphql(query, variables);
    expect(answer.errors).toBeUndefined();
    return answer.data;
  };

  const randomFile = async (bytes: number, extension = "onnx") => {
    const path = join(scratch, `file-${(fileCount += 1)}.${extension}`);
    const content = randomBytes(bytes);
    await writeFile(path, content);
    return { path, hex: createHash("sha256").update(content).digest("hex") };
  };

  /** Blob bytes the API has received (Prometheus, GET /metrics): an upload that was skipped adds none. */
  const blobBytesReceived = async () => {
    const text = await (await fetch(`${server.url}/metrics`, { headers: { authorization: `Bearer ${server.admin}` } })).text();
    return Number(/^distillery_blob_bytes_total\{direction="in"\} (\d+)$/m.exec(text)?.[1] ?? 0);
  };
  const blobIsStored = async (hex: string) =>
    (await fetch(`${server.url}/v1/blobs/sha256/${hex}`, { method: "HEAD", headers: { authorization: `Bearer ${server.admin}` } })).status === 200;

  beforeAll(async () => {
    server = await startApiServer();
    scratch = join(server.dataDir, "scratch");
    await mkdir(scratch);
  }, 120_000);

  afterAll(async () => {
    await server?.stop();
  });

  it("a new model needs --role (exit 2, nothing uploaded); with it the model is created, the file uploaded and v1 registered", async () => {
    const file = await randomFile(2 * MIB);
    const withoutRole = await distillery(["push", file.path, "--model", "fm-teacher", "--precision", "fp32"]);
    expect(withoutRole.code).toBe(2);
    expect(withoutRole.stderr).toBe('distillery: there is no model "fm-teacher" yet: give --role teacher|student|extractor (and --family, --description if you like) to create it (distillery help)\n');
    expect(await blobIsStored(file.hex)).toBe(false);

    const pushed = await distillery(["push", file.path, "--model", "fm-teacher", "--role", "teacher", "--family", "unet-fm", "--description", "the teacher", "--precision", "fp32", "--params", "123456"]);
    expect(pushed.code, pushed.stderr).toBe(0);
    expect(pushed.stdout).toBe("fm-teacher@v1\n");
    expect(pushed.stderr).toContain(`uploaded 2.0 MiB in`);
    expect(pushed.stderr).toContain("created model fm-teacher (teacher)");
    const { modelVersion } = await graphql(`{ modelVersion(ref: "fm-teacher@v1") { ref digest sizeBytes format precision params status createdBy model { name role family description } } }`);
    expect(modelVersion).toEqual({
      ref: "fm-teacher@v1",
      digest: `sha256:${file.hex}`,
      sizeBytes: 2 * MIB,
      format: "ONNX",
      precision: "FP32",
      params: 123456,
      status: "READY",
      createdBy: "admin",
      model: { name: "fm-teacher", role: "TEACHER", family: "unet-fm", description: "the teacher" },
    });
  });

  it("bytes the server has already are not uploaded again; --parent records lineage; --alias moves an alias; --json prints the record", async () => {
    const file = await randomFile(MIB);
    const teacher = await distillery(["push", file.path, "--model", "teacher-b", "--role", "teacher", "--precision", "fp32"]);
    expect(teacher.code, teacher.stderr).toBe(0);
    const received = await blobBytesReceived();

    const student = await distillery([
      "push", file.path, "--model", "student-b", "--role", "student", "--precision", "fp16",
      "--parent", "teacher-b@v1:distilled_from", "--parent", "teacher-b:FINETUNED-FROM", "--alias", "production",
      "--metadata", '{"dataset":"fashion-mnist"}', "--json",
    ]);
    expect(student.code, student.stderr).toBe(0);
    expect(student.stderr).toContain(`sha256:${file.hex} (1.0 MiB) is already on the server, not uploaded`);
    expect(await blobBytesReceived()).toBe(received);
    const record = JSON.parse(student.stdout);
    expect(record).toMatchObject({
      ref: "student-b@v1",
      digest: `sha256:${file.hex}`,
      precision: "FP16",
      metadata: { dataset: "fashion-mnist" },
      aliases: ["production"],
      uploaded: false,
      createdModel: true,
    });

    const { modelVersion } = await graphql(`{ modelVersion(ref: "student-b@production") { ref parents { relation version { ref } } } }`);
    expect(modelVersion.ref).toBe("student-b@v1");
    expect(modelVersion.parents).toEqual(
      expect.arrayContaining([
        { relation: "DISTILLED_FROM", version: { ref: "teacher-b@v1" } },
        { relation: "FINETUNED_FROM", version: { ref: "teacher-b@v1" } },
      ]),
    );
    const { modelVersion: parent } = await graphql(`{ modelVersion(ref: "teacher-b@v1") { children { relation version { ref } } } }`);
    expect(parent.children).toContainEqual({ relation: "DISTILLED_FROM", version: { ref: "student-b@v1" } });

    // The next push moves the alias.
    const next = await distillery(["push", (await randomFile(1000)).path, "--model", "student-b", "--precision", "fp32", "--alias", "production"]);
    expect(next.code, next.stderr).toBe(0);
    expect(next.stdout).toBe("student-b@v2\n");
    expect(next.stderr).toContain("student-b@production -> v2");
    expect((await graphql(`{ modelVersion(ref: "student-b@production") { ref } }`)).modelVersion.ref).toBe("student-b@v2");
  });

  it("reads precision, parameters and the quantizer's record from an ONNX file; pull --method finds the variant by it", async () => {
    const source = await distillery(["push", (await randomFile(MIB)).path, "--model", "onnx-student", "--role", "student", "--precision", "fp32"]);
    expect(source.code, source.stderr).toBe(0);
    const weights = randomBytes(MIB);
    const model = writeModel({
      irVersion: 8,
      producerName: "push-test",
      opsetImport: [{ domain: "", version: 17 }],
      metadataProps: [{ key: "distillery_quantization", value: JSON.stringify({ precision: "int8-static", calibration: "minmax" }) }],
      graph: { name: "weights-only", node: [], input: [], output: [], initializer: [{ name: "w", dims: [MIB], dataType: ONNX_INT8, rawData: weights }] },
    });
    const path = join(scratch, "student-int8.onnx");
    await writeFile(path, model);

    const pushed = await distillery(["push", path, "--model", "onnx-student", "--parent", "onnx-student@v1:quantized_from"]);
    expect(pushed.code, pushed.stderr).toBe(0);
    expect(pushed.stdout).toBe("onnx-student@v2\n");
    const { modelVersion } = await graphql(`{ modelVersion(ref: "onnx-student@v2") { precision params metadata parents { relation recipe } } }`);
    expect(modelVersion).toEqual({
      precision: "INT8",
      params: MIB,
      metadata: { quantization: { precision: "int8-static", calibration: "minmax" } },
      parents: [{ relation: "QUANTIZED_FROM", recipe: { method: "int8-static" } }],
    });

    const pulled = await distillery(["pull", "onnx-student@v1", "--method", "int8-static", "--json"]);
    expect(pulled.code, pulled.stderr).toBe(0);
    expect(JSON.parse(pulled.stdout)).toMatchObject({ resolved: "onnx-student@v2", method: "int8-static" });
    const other = await distillery(["pull", "onnx-student@v1", "--method", "int8-dynamic"]);
    expect(other.code).toBe(4);
    expect(other.stderr).toBe("distillery: onnx-student@v1 resolves to onnx-student@v1, which has no ready int8-dynamic version quantized from it; it has onnx-student@v2 (int8-static)\n");
  });

  it("says in one line why it cannot push, before anything is uploaded", async () => {
    const file = await randomFile(4096);
    const junk = join(scratch, "junk.onnx");
    await writeFile(junk, "definitely not protobuf");
    const reader = (await graphql(`mutation { createApiToken(input: { name: "reader", scopes: [READ] }) { token } }`)).createApiToken.token as string;
    const failures: Array<[string[], number, RegExp, NodeJS.ProcessEnv?]> = [
      [["push", file.path, "--model", "x", "--role", "student", "--precision", "fp32"], 3, /^distillery: the token "reader" has READ scope; pushing a model needs WRITE\n$/, { DISTILLERY_TOKEN: reader }],
      [["push", file.path, "--model", "x", "--role", "student", "--precision", "fp32", "--token", "dst_wrong"], 3, /^distillery: TOKEN_INVALID: /],
      [["push", file.path, "--model", "x", "--role", "student", "--precision", "fp32", "--parent", "nobody@v1:distilled_from"], 4, /^distillery: MODEL_NOT_FOUND: No model named "nobody"\n$/],
      [["push", join(scratch, "missing.onnx"), "--model", "x", "--role", "student"], 4, /missing\.onnx: no such file/],
      [["push", file.path, "--role", "student"], 2, /needs --model/],
      [["push", file.path, "--model", "Bad Name", "--role", "student"], 2, /Model name "Bad Name" must be/],
      [["push", file.path, "--model", "x", "--role", "boss"], 2, /--role must be teacher, student, extractor/],
      [["push", file.path, "--model", "x", "--role", "student", "--parent", "teacher-b@v1"], 2, /--parent must be REF:RELATION/],
      [["push", file.path, "--model", "x", "--role", "student", "--parent", "teacher-b@v1:copied_from"], 2, /relation must be DISTILLED_FROM/],
      [["push", file.path, "--model", "x", "--role", "student", "--metadata", "[1]"], 2, /--metadata must be a JSON object/],
      [["push", file.path, "--model", "x", "--role", "student", "--alias", "v2"], 2, /reserved/],
      [["push", junk, "--model", "x", "--role", "student"], 2, /give --precision: the precision of .*junk\.onnx cannot be read \(not readable as ONNX/],
      [["push", (await randomFile(10, "bin")).path, "--model", "x", "--role", "student", "--precision", "fp32"], 2, /give --format onnx or --format torch/],
    ];
    for (const [args, code, message, env] of failures) {
      const result = await distillery(args, env);
      expect({ args, code: result.code }).toEqual({ args, code });
      expect(result.stderr).toMatch(message);
    }
    expect(await blobIsStored(file.hex)).toBe(false);
    expect((await server.graphql(`{ model(name: "x") { name } }`)).errors?.[0]?.extensions?.reason).toBe("MODEL_NOT_FOUND");
  });
});
