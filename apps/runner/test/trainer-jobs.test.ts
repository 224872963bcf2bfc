import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { FakeJob } from "./support/fake-api";
import { writeFakePython } from "./support/fake-trainer";
import { type RunnerFixture, runnerFixture } from "./support/runner-fixture";
import { isAlive, type RunnerProcess } from "./support/runner-process";
import { waitFor } from "./support/wait-for";

const SPEC = { dataset: { source: "synthetic" }, output: { model: "tiny-teacher" } };
const TRAINER_ROOT = join(__dirname, "..", "..", "..", "libs", "trainer");

const sha256 = (bytes: Buffer) => createHash("sha256").update(bytes).digest("hex");

describe("PRETRAIN jobs (a fake trainer as --python)", () => {
  let fixture: RunnerFixture;
  let python: string;

  beforeEach(async () => {
    fixture = await runnerFixture({ leaseSeconds: 1.2 });
    python = await writeFakePython(fixture.workDir);
  });

  afterEach(async () => {
    await fixture.stop();
  });

  const start = (mode = "ok", extra: string[] = []): RunnerProcess => fixture.start(["--python", python, ...extra], { FAKE_TRAINER_MODE: mode });
  const addPretrain = (spec: Record<string, unknown> = SPEC, options: { maxAttempts?: number } = {}): FakeJob => fixture.api.addJob("PRETRAIN", spec, ["torch"], options);
  const trainerDir = (job: FakeJob) => join(fixture.workDir, "jobs", job.id, "trainer");
  const log = (job: FakeJob) => fixture.api.run(job).log.toString("utf8");

  it("runs the trainer, then uploads and registers the torch teacher and its ONNX export EXPORTED_FROM it", async () => {
    const job = addPretrain();
    const runner = start("ok", ["--once"]);
    expect(await runner.exited, runner.output()).toBe(0);

    expect(job.state).toBe("SUCCEEDED");
    expect(job.result).toEqual({ exitCode: 0, versions: { teacher: "tiny-teacher@v1", "teacher-onnx": "tiny-teacher@v2" } });
    expect([...fixture.api.runners.values()][0]?.capabilities).toEqual(["command", "torch", "onnx"]);

    // The CLI contract: the stable work dir, spec.json in the attempt's dir (defaults filled in),
    // the trainer on PYTHONPATH, one BLAS thread, no runner token.
    const text = log(job);
    expect(text).toContain(`work-dir ${trainerDir(job)}\n`);
    expect(text).toContain(`spec-file ${join(fixture.workDir, "jobs", job.id, "attempt-1", "spec.json")}\n`);
    expect(text).toContain(`env PYTHONPATH=${TRAINER_ROOT} OPENBLAS_NUM_THREADS=1 DISTILLERY_TOKEN=unset\n`);
    expect(text).toContain(`spec output={"model":"tiny-teacher","family":"unet"} steps=200 timeout=86400\n`);
    const specFile = JSON.parse(await readFile(join(fixture.workDir, "jobs", job.id, "attempt-1", "spec.json"), "utf8"));
    expect(specFile).toMatchObject({ ...SPEC, device: "any", training: { steps: 200 } });
    // Artifact lines are not log lines (nor are progress lines); metrics went where they go.
    expect(text).not.toContain('"artifact"');
    expect(text).not.toContain('"progress"');
    expect(fixture.api.run(job).metrics.filter((point) => point.key === "loss").map((point) => point.step)).toEqual([0, 1, 2, 3, 4]);

    // The exact bytes, under their digests.
    const torchBytes = await readFile(join(trainerDir(job), "teacher.pt"));
    const onnxBytes = await readFile(join(trainerDir(job), "teacher.onnx"));
    expect(fixture.api.blobPuts).toEqual([
      { hex: sha256(torchBytes), status: 201 },
      { hex: sha256(onnxBytes), status: 201 },
    ]);
    expect(fixture.api.blobs.get(sha256(torchBytes))?.equals(torchBytes)).toBe(true);
    expect(fixture.api.blobs.get(sha256(onnxBytes))?.equals(onnxBytes)).toBe(true);

    expect(fixture.api.versions.map((version) => ({ ref: version.ref, input: version.input }))).toEqual([
      {
        ref: "tiny-teacher@v1",
        input: {
          artifact: "teacher",
          model: "tiny-teacher",
          role: "TEACHER",
          family: "unet",
          digest: `sha256:${sha256(torchBytes)}`,
          format: "TORCH",
          precision: "FP32",
          params: 1234,
          metadata: { params: 1234, architecture: specFile.model, ema: true },
          parents: [],
        },
      },
      {
        ref: "tiny-teacher@v2",
        input: {
          artifact: "teacher-onnx",
          model: "tiny-teacher",
          role: "TEACHER",
          family: "unet",
          digest: `sha256:${sha256(onnxBytes)}`,
          format: "ONNX",
          precision: "FP32",
          params: 1234,
          metadata: { params: 1234, exportedFrom: "teacher", onnx: { opset: 17 } },
          parents: [{ ref: "tiny-teacher@v1", relation: "EXPORTED_FROM", recipe: { opset: 17 } }],
        },
      },
    ]);
    expect(fixture.api.callsOf("RegisterJobArtifact").every((call) => call.variables.job === job.id && typeof call.variables.leaseId === "string")).toBe(true);
    expect(text).toContain("registered artifact teacher as tiny-teacher@v1\n");
    expect(text).toContain("registered artifact teacher-onnx as tiny-teacher@v2\n");
  });

  it("retries an upload the API refused with 503 and a registration whose answer was lost, registering each once", async () => {
    fixture.api.failBlobPuts = 1;
    fixture.api.dropResponses.set("RegisterJobArtifact", 1);
    const job = addPretrain();
    const runner = start("ok", ["--once"]);
    expect(await runner.exited, runner.output()).toBe(0);
    expect(job.state).toBe("SUCCEEDED");
    expect(fixture.api.blobPuts.map((put) => put.status)).toEqual([503, 201, 201]);
    expect(fixture.api.callsOf("RegisterJobArtifact").map((call) => call.variables.input.artifact)).toEqual(["teacher", "teacher", "teacher-onnx"]);
    expect(fixture.api.versions.map((version) => version.ref)).toEqual(["tiny-teacher@v1", "tiny-teacher@v2"]);
    expect(job.result).toEqual({ exitCode: 0, versions: { teacher: "tiny-teacher@v1", "teacher-onnx": "tiny-teacher@v2" } });
  });

  it("fails a trainer error (exit 1) as USER_ERROR with stderr's last line, and an invalid spec without starting it", async () => {
    const failing = addPretrain();
    const invalid = addPretrain({ dataset: { source: "synthetic" }, output: { model: "Not A Slug" } });
    const runner = start("fail");
    await fixture.waitForState(failing, "FAILED");
    await fixture.waitForState(invalid, "FAILED");
    expect(failing.failure).toEqual({ kind: "USER_ERROR", message: "trainer exited with code 1: ValueError: the dataset is empty" });
    expect(log(failing)).toContain("Traceback (most recent call last):\n");
    expect(invalid.failure).toEqual({ kind: "USER_ERROR", message: expect.stringContaining("Invalid pretrain spec: output.model") });
    expect(log(invalid)).toBe("");
    expect(fixture.api.callsOf("RegisterJobArtifact")).toEqual([]);
    expect(fixture.api.blobPuts).toEqual([]);
    expect(await runner.stop()).toBe(0);
  });

  it("cancel: SIGTERM reaches the trainer, which checkpoints and exits; the job is cancelled, nothing registered", async () => {
    const job = addPretrain();
    const runner = start("wait");
    const text = await waitFor("the trainer to be ready", () => (log(job).includes("ready\n") ? log(job) : undefined));
    const pid = Number(/pid (\d+)/.exec(text)?.[1]);
    expect(pid).toBeGreaterThan(0);
    fixture.api.requestCancel(job);
    await fixture.waitForState(job, "CANCELLED");
    expect(job.failure).toEqual({ kind: "INFRA_ERROR", message: "cancelled" });
    expect(isAlive(pid)).toBe(false);
    await waitFor("the trainer's SIGTERM line in the log", () => log(job).includes("got SIGTERM, checkpoint written\n"));
    expect(await readFile(join(trainerDir(job), "checkpoint.pt"), "utf8")).toBe("checkpoint");
    expect(fixture.api.callsOf("RegisterJobArtifact")).toEqual([]);
    expect(await runner.stop()).toBe(0);
  });

  it("a trainer stopped by a SIGTERM the runner did not send is INFRA_ERROR; the retry resumes in the same work dir", async () => {
    const job = addPretrain(SPEC, { maxAttempts: 3 });
    const runner = start("sigterm-once");
    await fixture.waitForState(job, "SUCCEEDED");
    expect(job.attempt).toBe(2);
    // What attempt 1 was failed with (the fake API keeps it when it queues the job again).
    expect(job.failure).toEqual({ kind: "INFRA_ERROR", message: "trainer stopped by SIGTERM; a retry resumes from its checkpoint" });
    const workDirs = [...log(job).matchAll(/^work-dir (.*)$/gm)].map((match) => match[1]);
    expect(workDirs).toEqual([trainerDir(job), trainerDir(job)]);
    expect(log(job)).toMatch(/checkpoint written, stopping\n[^]*--- attempt 2 of 3, runner test-runner ---\n[^]*resumed from checkpoint\n/);
    expect(job.result).toEqual({ exitCode: 0, versions: { teacher: "tiny-teacher@v1", "teacher-onnx": "tiny-teacher@v2" } });
    expect(await runner.stop()).toBe(0);
  });

  it("LEASE_LOST from registerJobArtifact stops the job without a report", async () => {
    const job = addPretrain();
    fixture.api.onCall = (call) => {
      if (call.operation === "RegisterJobArtifact") fixture.api.loseLease(job, "CANCELLED");
    };
    const runner = start();
    await runner.waitForLog("the lease was lost; the job is dropped without a report");
    expect(job.reports).toEqual([]);
    expect(fixture.api.versions).toEqual([]);
    expect(fixture.api.callsOf("RegisterJobArtifact")).toHaveLength(1);
    expect(await runner.stop()).toBe(0);
  });
});
