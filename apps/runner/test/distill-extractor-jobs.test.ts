import { createHash, randomBytes } from "node:crypto";
import { readFile, readdir } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { FakeJob } from "./support/fake-api";
import { writeFakePython } from "./support/fake-trainer";
import { type RunnerFixture, runnerFixture } from "./support/runner-fixture";
import type { RunnerProcess } from "./support/runner-process";

const sha256 = (bytes: Buffer) => createHash("sha256").update(bytes).digest("hex");

const DISTILL = {
  teacher: "tiny-teacher@production",
  dataset: { source: "synthetic" },
  student: { derive: { removeLayers: 1 } },
  strategy: { output: { alpha: 0.3 }, feature: {} },
  output: { model: "tiny-student" },
};
const EXTRACTOR = { dataset: { source: "fashion-mnist", limit: 1000 }, referenceSamples: 500, output: { model: "fmnist-features" } };
const TEACHER_METADATA = { params: 1234, architecture: { channels: [32, 64], layersPerBlock: 2 }, ema: true };

describe("DISTILL and EXTRACTOR jobs (a fake trainer as --python)", () => {
  let fixture: RunnerFixture;
  let python: string;

  beforeEach(async () => {
    fixture = await runnerFixture();
    python = await writeFakePython(fixture.workDir);
  });

  afterEach(async () => {
    await fixture.stop();
  });

  const start = (extra: string[] = [], env: NodeJS.ProcessEnv = {}): RunnerProcess => fixture.start(["--python", python, ...extra], env);
  const addDistill = (spec: Record<string, unknown> = DISTILL): FakeJob => fixture.api.addJob("DISTILL", spec, ["torch"]);
  const addExtractor = (spec: Record<string, unknown> = EXTRACTOR): FakeJob => fixture.api.addJob("EXTRACTOR", spec, ["torch"]);
  const log = (job: FakeJob) => fixture.api.run(job).log.toString("utf8");
  const trainerDir = (job: FakeJob) => join(fixture.workDir, "jobs", job.id, "trainer");
  const specFile = async (job: FakeJob) => JSON.parse(await readFile(join(fixture.workDir, "jobs", job.id, `attempt-${job.attempt}`, "spec.json"), "utf8"));
  const cacheDir = () => join(fixture.workDir, "cache", "sha256");
  /** A TORCH teacher (v1, also "production") and its ONNX export (v2), as a pretrain would leave them. */
  const addTeacher = () => {
    const bytes = randomBytes(2 * 1024 * 1024 + 31);
    const torch = fixture.api.addModelVersion("tiny-teacher", { format: "TORCH", bytes, metadata: TEACHER_METADATA, aliases: ["production"] });
    const onnx = fixture.api.addModelVersion("tiny-teacher", { format: "ONNX", bytes: randomBytes(1000), metadata: { exportedFrom: "teacher" } });
    return { bytes, hex: sha256(bytes), torch, onnx };
  };

  it("DISTILL resolves the teacher ref, downloads its blob into the cache once, and the next job reuses it", async () => {
    const teacher = addTeacher();
    const first = addDistill();
    const second = addDistill({ ...DISTILL, teacher: "tiny-teacher@v1" });
    const runner = start();
    await fixture.waitForState(first, "SUCCEEDED", "FAILED", "DEAD");
    await fixture.waitForState(second, "SUCCEEDED", "FAILED", "DEAD");
    expect(first.state, log(first)).toBe("SUCCEEDED");
    expect(second.state, log(second)).toBe("SUCCEEDED");

    // One download, verified, to <work-dir>/cache/sha256/<hex>; nothing half-written left beside it.
    const cached = join(cacheDir(), teacher.hex);
    expect((await readFile(cached)).equals(teacher.bytes)).toBe(true);
    expect(await readdir(cacheDir())).toEqual([teacher.hex]);
    expect(fixture.api.blobGets).toEqual([{ hex: teacher.hex, status: 200 }]);
    expect(fixture.api.callsOf("ModelVersion").map((call) => call.variables)).toEqual([{ ref: "tiny-teacher@production" }, { ref: "tiny-teacher@v1" }]);

    // spec.json: the validated spec (defaults filled) and the resolved teacher, as the contract says.
    for (const job of [first, second]) {
      const spec = await specFile(job);
      expect(spec.resolved).toEqual({ teacher: { ref: "tiny-teacher@v1", path: cached, metadata: TEACHER_METADATA } });
      expect(spec).toMatchObject({ student: { derive: { removeLayers: 1, channelScale: 1, dropMid: false } }, strategy: { output: { weight: 1, alpha: 0.3 } }, training: { steps: 200 } });
      // The trainer read the very bytes.
      expect(log(job)).toContain(`teacher tiny-teacher@v1 ${teacher.bytes.length} bytes sha256:${teacher.hex}\n`);
    }
    expect(log(first)).toContain(`downloading sha256:${teacher.hex}\n`);
    expect(log(first)).toContain(`teacher tiny-teacher@production (tiny-teacher@v1): TORCH, sha256:${teacher.hex}, at ${cached}\n`);
    expect(log(second)).not.toContain("downloading");
    expect(log(second)).toContain(`teacher tiny-teacher@v1: TORCH, sha256:${teacher.hex}, at ${cached}\n`);
    expect(await runner.stop()).toBe(0);
  });

  it("DISTILL registers the student DISTILLED_FROM the resolved teacher with the recipe, then its ONNX export EXPORTED_FROM it", async () => {
    addTeacher();
    const job = addDistill();
    const runner = start(["--once"]);
    expect(await runner.exited, runner.output()).toBe(0);
    expect(job.state, log(job)).toBe("SUCCEEDED");
    expect(job.result).toEqual({ exitCode: 0, versions: { student: "tiny-student@v1", "student-onnx": "tiny-student@v2" } });

    const spec = await specFile(job);
    const recipe = { strategy: spec.strategy, student: spec.student, teacher: "tiny-teacher@v1", training: spec.training };
    const torchBytes = await readFile(join(trainerDir(job), "student.pt"));
    const onnxBytes = await readFile(join(trainerDir(job), "student.onnx"));
    expect(fixture.api.blobPuts).toEqual([
      { hex: sha256(torchBytes), status: 201 },
      { hex: sha256(onnxBytes), status: 201 },
    ]);
    const registered = fixture.api.versions.filter((version) => version.input.model === "tiny-student");
    expect(registered.map((version) => ({ ref: version.ref, input: version.input }))).toEqual([
      {
        ref: "tiny-student@v1",
        input: {
          artifact: "student",
          model: "tiny-student",
          role: "STUDENT",
          family: "unet",
          digest: `sha256:${sha256(torchBytes)}`,
          format: "TORCH",
          precision: "FP32",
          params: 456,
          metadata: { params: 456, architecture: { channels: [16, 32] }, recipe, samplingSteps: 4 },
          parents: [{ ref: "tiny-teacher@v1", relation: "DISTILLED_FROM", recipe }],
        },
      },
      {
        ref: "tiny-student@v2",
        input: {
          artifact: "student-onnx",
          model: "tiny-student",
          role: "STUDENT",
          family: "unet",
          digest: `sha256:${sha256(onnxBytes)}`,
          format: "ONNX",
          precision: "FP32",
          params: 456,
          metadata: { params: 456, exportedFrom: "student", onnx: { opset: 17 } },
          parents: [{ ref: "tiny-student@v1", relation: "EXPORTED_FROM", recipe: { opset: 17 } }],
        },
      },
    ]);
    // The recipe is the normalised spec's, defaults and all.
    expect(recipe.strategy).toEqual({ output: { weight: 1, alpha: 0.3 }, feature: { weight: 1, multiScale: false } });
  });

  it("DISTILL retries a download whose bytes do not hash to the digest, and caches only verified bytes", async () => {
    const teacher = addTeacher();
    fixture.api.corruptBlobGets = 1;
    const job = addDistill();
    const runner = start(["--once"]);
    expect(await runner.exited, runner.output()).toBe(0);
    expect(job.state, log(job)).toBe("SUCCEEDED");
    expect(fixture.api.blobGets).toEqual([
      { hex: teacher.hex, status: 200, corrupted: true },
      { hex: teacher.hex, status: 200 },
    ]);
    expect(runner.logs().some((line) => line.msg === `download of sha256:${teacher.hex} failed; trying again` && String(line.error).includes("hash to"))).toBe(true);
    expect((await readFile(join(cacheDir(), teacher.hex))).equals(teacher.bytes)).toBe(true);
    expect(await readdir(cacheDir())).toEqual([teacher.hex]);
  });

  it("DISTILL refuses an ONNX teacher and a ref that does not resolve with USER_ERROR, before downloading or training", async () => {
    const teacher = addTeacher();
    const onnx = addDistill({ ...DISTILL, teacher: teacher.onnx.ref });
    const latest = addDistill({ ...DISTILL, teacher: "tiny-teacher" });
    const missing = addDistill({ ...DISTILL, teacher: "tiny-teacher@v9" });
    const invalid = addDistill({ ...DISTILL, teacher: "Tiny Teacher" });
    const runner = start();
    for (const job of [onnx, latest, missing, invalid]) await fixture.waitForState(job, "FAILED");
    expect(onnx.failure).toEqual({ kind: "USER_ERROR", message: "the teacher tiny-teacher@v2 is ONNX, not TORCH: name a TORCH version of the model" });
    // "tiny-teacher" is the newest version: the ONNX export.
    expect(latest.failure).toEqual({ kind: "USER_ERROR", message: "the teacher tiny-teacher (tiny-teacher@v2) is ONNX, not TORCH: name a TORCH version of the model" });
    expect(missing.failure).toEqual({ kind: "USER_ERROR", message: "the teacher tiny-teacher@v9 does not resolve: No version tiny-teacher@v9" });
    // The spec is checked before anything is asked of the API.
    expect(invalid.failure).toEqual({ kind: "USER_ERROR", message: expect.stringContaining("Invalid distill spec: teacher: a ref") });
    expect(fixture.api.callsOf("ModelVersion").map((call) => call.variables.ref)).toEqual(["tiny-teacher@v2", "tiny-teacher", "tiny-teacher@v9"]);
    expect(fixture.api.blobGets).toEqual([]);
    for (const job of [onnx, latest, missing, invalid]) expect(log(job)).not.toContain("work-dir ");
    expect(fixture.api.callsOf("RegisterJobArtifact")).toEqual([]);
    expect(await runner.stop()).toBe(0);
  });

  it("EXTRACTOR uploads the reference statistics as a blob and registers the extractor with them in its metadata", async () => {
    const job = addExtractor();
    const runner = start(["--once"]);
    expect(await runner.exited, runner.output()).toBe(0);
    expect(job.state, log(job)).toBe("SUCCEEDED");

    const spec = await specFile(job);
    expect(spec.resolved).toEqual({});
    expect(spec).toMatchObject({ testDataset: { source: "fashion-mnist", split: "test", limit: 1000 }, model: { featureDim: 128 }, training: { steps: 300 } });
    const statsBytes = await readFile(join(trainerDir(job), "reference-stats.npz"));
    const onnxBytes = await readFile(join(trainerDir(job), "extractor.onnx"));
    const statsDigest = `sha256:${sha256(statsBytes)}`;
    expect(job.result).toEqual({ exitCode: 0, versions: { extractor: "fmnist-features@v1" }, blobs: { "reference-stats": statsDigest } });
    expect(fixture.api.blobPuts).toEqual([
      { hex: sha256(statsBytes), status: 201 },
      { hex: sha256(onnxBytes), status: 201 },
    ]);
    expect(fixture.api.blobs.get(sha256(statsBytes))?.equals(statsBytes)).toBe(true);
    // One version: the statistics are not a model.
    expect(fixture.api.versions.map((version) => ({ ref: version.ref, input: version.input }))).toEqual([
      {
        ref: "fmnist-features@v1",
        input: {
          artifact: "extractor",
          model: "fmnist-features",
          role: "EXTRACTOR",
          family: "cnn-extractor",
          digest: `sha256:${sha256(onnxBytes)}`,
          format: "ONNX",
          precision: "FP32",
          params: 789,
          metadata: {
            params: 789,
            testAccuracy: 0.91,
            featureDim: 128,
            featureOutput: "features",
            onnx: { opset: 17 },
            referenceStats: { digest: statsDigest, samples: 500, dataset: spec.dataset },
          },
          parents: [],
        },
      },
    ]);
    expect(log(job)).toContain(`uploaded artifact reference-stats as ${statsDigest} (a blob, not a model version)\n`);
    expect(log(job)).toContain("registered artifact extractor as fmnist-features@v1\n");
  });

  it("EXTRACTOR names the reference statistics even when the trainer announces them after the extractor", async () => {
    const job = addExtractor({ dataset: { source: "synthetic", samples: 64 }, output: { model: "features" } });
    const runner = start(["--once"], { FAKE_EXTRACTOR_ORDER: "stats-last" });
    expect(await runner.exited, runner.output()).toBe(0);
    expect(job.state, log(job)).toBe("SUCCEEDED");
    const statsDigest = `sha256:${sha256(await readFile(join(trainerDir(job), "reference-stats.npz")))}`;
    expect(job.result).toEqual({ exitCode: 0, versions: { extractor: "features@v1" }, blobs: { "reference-stats": statsDigest } });
    expect(fixture.api.versions[0]?.input.metadata.referenceStats).toEqual({
      digest: statsDigest,
      samples: 2000,
      dataset: { source: "synthetic", samples: 64, resolution: 16, classes: 4, seed: 0 },
    });
  });
});
