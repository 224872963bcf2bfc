import { createHash, randomBytes } from "node:crypto";
import { readFile, readdir } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { FakeJob } from "./support/fake-api";
import { writeFakePython } from "./support/fake-trainer";
import { type RunnerFixture, runnerFixture } from "./support/runner-fixture";
import type { RunnerProcess } from "./support/runner-process";

const sha256 = (bytes: Buffer) => createHash("sha256").update(bytes).digest("hex");

describe("platform datasets ({source: \"platform\", ref} in a spec; a fake trainer as --python)", () => {
  let fixture: RunnerFixture;
  let python: string;

  beforeEach(async () => {
    fixture = await runnerFixture();
    python = await writeFakePython(fixture.workDir);
  });

  afterEach(async () => {
    await fixture.stop();
  });

  const start = (extra: string[] = []): RunnerProcess => fixture.start(["--python", python, ...extra]);
  const log = (job: FakeJob) => fixture.api.run(job).log.toString("utf8");
  const specFile = async (job: FakeJob) => JSON.parse(await readFile(join(fixture.workDir, "jobs", job.id, `attempt-${job.attempt}`, "spec.json"), "utf8"));
  const cacheDir = () => join(fixture.workDir, "cache", "sha256");
  /** toy@v1 (the one the jobs use) and toy@v2 (the newest, which "toy" names). */
  const addToy = () => {
    const v1 = randomBytes(1024 * 1024 + 7);
    const v2 = randomBytes(5000);
    fixture.api.addDataset("toy", v1);
    fixture.api.addDataset("toy", v2);
    return { v1, v2, hex1: sha256(v1), hex2: sha256(v2) };
  };

  it("resolves the ref, downloads the npz into the cache once, and hands the trainer {source: npz, path, ref} in spec.json", async () => {
    const toy = addToy();
    const pretrain = fixture.api.addJob("PRETRAIN", { dataset: { source: "platform", ref: "toy@v1" }, output: { model: "tiny-teacher" } }, ["torch"]);
    // dataset and testDataset name the same version: one query, no second download.
    const extractor = fixture.api.addJob(
      "EXTRACTOR",
      { dataset: { source: "platform", ref: "toy@v1" }, testDataset: { source: "platform", ref: "toy@v1" }, output: { model: "features" } },
      ["torch"],
    );
    const runner = start();
    await fixture.waitForState(pretrain, "SUCCEEDED", "FAILED", "DEAD");
    await fixture.waitForState(extractor, "SUCCEEDED", "FAILED", "DEAD");
    expect(pretrain.state, log(pretrain)).toBe("SUCCEEDED");
    expect(extractor.state, log(extractor)).toBe("SUCCEEDED");

    const cached = join(cacheDir(), toy.hex1);
    expect((await readFile(cached)).equals(toy.v1)).toBe(true);
    expect(await readdir(cacheDir())).toEqual([toy.hex1]);
    expect(fixture.api.blobGets).toEqual([{ hex: toy.hex1, status: 200 }]);
    expect(fixture.api.callsOf("Dataset").map((call) => call.variables)).toEqual([{ ref: "toy@v1" }, { ref: "toy@v1" }]);

    const npz = { source: "npz", path: cached, ref: "toy@v1" };
    expect((await specFile(pretrain)).dataset).toEqual(npz);
    const extractorSpec = await specFile(extractor);
    expect(extractorSpec).toMatchObject({ dataset: npz, testDataset: npz, resolved: {} });
    // The trainer read the very bytes.
    expect(log(pretrain)).toContain(`dataset toy@v1 ${toy.v1.length} bytes sha256:${toy.hex1}\n`);
    expect(log(extractor)).toContain(`testDataset toy@v1 ${toy.v1.length} bytes sha256:${toy.hex1}\n`);
    expect(log(pretrain)).toContain(`downloading sha256:${toy.hex1}\n`);
    expect(log(pretrain)).toContain(`dataset toy@v1: npz, sha256:${toy.hex1}, at ${cached}\n`);
    expect(log(extractor)).not.toContain("downloading");

    // Registered metadata names the dataset by its resolved ref, never by a path on this machine.
    const features = fixture.api.versions.find((version) => version.ref === "features@v1");
    expect(features?.input.metadata.referenceStats).toMatchObject({ dataset: { source: "platform", ref: "toy@v1" } });
    expect(JSON.stringify(fixture.api.versions.map((version) => version.input))).not.toContain(fixture.workDir);
    expect(await runner.stop()).toBe(0);
  });

  it("pins a ref without a version to the newest, and the rewritten spec records which", async () => {
    const toy = addToy();
    const job = fixture.api.addJob("PRETRAIN", { dataset: { source: "platform", ref: "toy" }, output: { model: "tiny-teacher" } }, ["torch"]);
    const runner = start(["--once"]);
    expect(await runner.exited, runner.output()).toBe(0);
    expect(job.state, log(job)).toBe("SUCCEEDED");
    expect((await specFile(job)).dataset).toEqual({ source: "npz", path: join(cacheDir(), toy.hex2), ref: "toy@v2" });
    expect(log(job)).toContain(`dataset toy (toy@v2): npz, sha256:${toy.hex2}, at ${join(cacheDir(), toy.hex2)}\n`);
    expect(fixture.api.blobGets).toEqual([{ hex: toy.hex2, status: 200 }]);
  });

  it("fails a ref that does not resolve with USER_ERROR naming it, without downloading or starting the trainer", async () => {
    addToy();
    const missing = fixture.api.addJob("PRETRAIN", { dataset: { source: "platform", ref: "toy@v9" }, output: { model: "tiny-teacher" } }, ["torch"]);
    const unknown = fixture.api.addJob(
      "EXTRACTOR",
      { dataset: { source: "synthetic" }, testDataset: { source: "platform", ref: "nope" }, output: { model: "features" } },
      ["torch"],
    );
    const runner = start();
    for (const job of [missing, unknown]) await fixture.waitForState(job, "FAILED", "SUCCEEDED", "DEAD");
    expect(missing.failure).toEqual({ kind: "USER_ERROR", message: "the dataset toy@v9 does not resolve: No dataset toy@v9" });
    expect(unknown.failure).toEqual({ kind: "USER_ERROR", message: "the testDataset nope does not resolve: No dataset nope" });
    expect(missing.state).toBe("FAILED");
    expect(missing.attempt).toBe(1);
    expect(fixture.api.blobGets).toEqual([]);
    for (const job of [missing, unknown]) expect(log(job)).not.toContain("work-dir ");
    expect(fixture.api.callsOf("RegisterJobArtifact")).toEqual([]);
    expect(await runner.stop()).toBe(0);
  });
});
