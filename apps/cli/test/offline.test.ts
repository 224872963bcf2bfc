import { spawn, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { frechetDistance, writeFidStatistics } from "@distillery/eval";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const BIN = resolve(__dirname, "..", "dist", "bin.js");
const PYTHON = process.env.DISTILLERY_PYTHON ?? "/usr/bin/python3";
const TRAINER = resolve(__dirname, "..", "..", "..", "libs", "trainer");
const hasTorch = spawnSync(PYTHON, ["-c", "import torch, onnx"]).status === 0;

interface Finished {
  code: number | null;
  stdout: string;
  stderr: string;
}

function cli(args: string[]): Promise<Finished> {
  const child = spawn(process.execPath, [BIN, ...args], { stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((done) => child.once("close", (code) => done({ code, stdout, stderr })));
}

/** A seeded random SPD-ish covariance: A A^T / d + 0.1 I. */
function statistics(dim: number, seed: number) {
  let state = seed;
  const random = () => ((state = (state * 1103515245 + 12345) % 2 ** 31) / 2 ** 31) * 2 - 1;
  const a = Array.from({ length: dim * dim }, random);
  const sigma = new Float64Array(dim * dim);
  for (let i = 0; i < dim; i++) for (let j = 0; j < dim; j++) {
    let sum = 0;
    for (let k = 0; k < dim; k++) sum += a[i * dim + k]! * a[j * dim + k]!;
    sigma[i * dim + j] = sum / dim + (i === j ? 0.1 : 0);
  }
  return { mu: Float64Array.from({ length: dim }, random), sigma, dim };
}

let scratch: string;
beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), "distillery-offline-"));
});
afterAll(() => rm(scratch, { recursive: true, force: true }));

describe("distillery fid (offline)", () => {
  it("prints the Frechet distance of two statistics files: ~0 for the same file, the library's value otherwise", async () => {
    const a = statistics(6, 1);
    const b = statistics(6, 2);
    await writeFile(join(scratch, "a.npz"), writeFidStatistics(a));
    await writeFile(join(scratch, "b.npz"), writeFidStatistics(b));
    const same = await cli(["fid", join(scratch, "a.npz"), join(scratch, "a.npz")]);
    expect(same.code, same.stderr).toBe(0);
    expect(Math.abs(Number(same.stdout))).toBeLessThan(1e-9);
    const different = await cli(["fid", join(scratch, "a.npz"), join(scratch, "b.npz"), "--json"]);
    expect(different.code, different.stderr).toBe(0);
    const { fid, dim } = JSON.parse(different.stdout);
    expect(dim).toBe(6);
    const expected = frechetDistance(a.mu, a.sigma, b.mu, b.sigma);
    expect(Math.abs(fid - expected) / expected).toBeLessThan(1e-9);
    expect(fid).toBeGreaterThan(0.1);
  });

  it("refuses statistics of different dimensions, files that are not statistics, and missing files, with exit codes", async () => {
    await writeFile(join(scratch, "c.npz"), writeFidStatistics(statistics(4, 3)));
    await writeFile(join(scratch, "junk.npz"), "not a zip");
    const mismatch = await cli(["fid", join(scratch, "a.npz"), join(scratch, "c.npz")]);
    expect(mismatch).toMatchObject({ code: 1, stdout: "" });
    expect(mismatch.stderr).toMatch(/6-d statistics.*4-d.*different extractors/);
    const junk = await cli(["fid", join(scratch, "a.npz"), join(scratch, "junk.npz")]);
    expect(junk.code).toBe(1);
    expect(junk.stderr).toMatch(/junk\.npz/);
    const missing = await cli(["fid", join(scratch, "a.npz"), join(scratch, "nope.npz")]);
    expect(missing.code).toBe(4);
    expect(missing.stderr).toMatch(/nope\.npz: no such file/);
    expect((await cli(["fid", join(scratch, "a.npz")])).code).toBe(2);
  });
});

/** On a UNet the trainer exported (needs python3-torch, python3-onnx): inspect it, quantize it, inspect the variants. */
describe.skipIf(!hasTorch && process.env.CI !== "true")("distillery inspect and quantize (offline, on a trainer's UNet export)", () => {
  let model: string;
  beforeAll(async () => {
    const spec = {
      dataset: { source: "synthetic", samples: 32, resolution: 8, classes: 3, seed: 0 },
      model: { channels: [8, 16], layersPerBlock: 1, attentionStages: [1], groups: 4, heads: 2 },
      schedule: { kind: "linear", steps: 200 },
      training: { steps: 2, batchSize: 8, warmupSteps: 1, checkpointEvery: 100 },
      output: { model: "offline-unet" },
    };
    const work = join(scratch, "trainer");
    await writeFile(join(scratch, "spec.json"), JSON.stringify(spec));
    const trained = spawnSync(PYTHON, ["-m", "distillery_trainer", "pretrain", "--spec", join(scratch, "spec.json"), "--work-dir", work], {
      env: { ...process.env, PYTHONPATH: TRAINER, OPENBLAS_NUM_THREADS: "1" },
      encoding: "utf8",
    });
    if (trained.status !== 0) throw new Error(`the trainer failed: ${trained.stderr}`);
    model = join(work, "teacher.onnx");
  }, 120_000);

  it("inspect describes the model: inputs, outputs, params, precision, the schedule it was trained with", async () => {
    const table = await cli(["inspect", model]);
    expect(table.code, table.stderr).toBe(0);
    expect(table.stdout).toMatch(/precision\s+FP32/);
    expect(table.stdout).toMatch(/inputs\s+x: float32 \[batch, 1, 8, 8\]/);
    const { stdout } = await cli(["inspect", model, "--json"]);
    const inspection = JSON.parse(stdout);
    expect(inspection.inputs.map((input: { name: string }) => input.name)).toEqual(["x", "t", "class"]);
    expect(inspection.outputs).toEqual([{ name: "eps", elementType: "float32", shape: ["batch", 1, 8, 8] }]);
    expect(inspection.params).toBeGreaterThan(1000);
    expect(inspection.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(JSON.parse(inspection.metadata.schedule)).toEqual({ kind: "linear", steps: 200 });
    expect(inspection.opHistogram.Conv).toBeGreaterThan(0);
  });

  it("quantize makes int8 (calibrated on the UNet's own trajectories) and fp16 variants that inspect as such, with the error against fp32", async () => {
    for (const [precision, expected] of [["int8", "INT8"], ["fp16", "FP16"], ["int8-dynamic", "INT8"]] as const) {
      const out = join(scratch, `${precision}.onnx`);
      const run = await cli(["quantize", model, "--precision", precision, "-o", out, "--calibration-samples", "4", "--calibration-steps", "4", "--json"]);
      expect(run.code, run.stderr).toBe(0);
      const summary = JSON.parse(run.stdout);
      expect(summary.error.length, precision).toBeGreaterThan(0);
      expect(Number.isFinite(summary.error[0].relativeRmse)).toBe(true);
      const inspected = JSON.parse((await cli(["inspect", out, "--json"])).stdout);
      expect(inspected.precision, precision).toBe(expected);
      expect(JSON.parse(inspected.metadata.distillery_quantization)).toMatchObject({ precision: precision === "int8" ? "int8-static" : precision });
      expect(inspected.metadata.unet_config).toBeDefined();
    }
    const u8s8 = await cli(["quantize", model, "--precision", "int8", "--activations", "uint8", "-o", join(scratch, "u8s8.onnx"), "--calibration-samples", "4", "--calibration-steps", "4", "--json"]);
    expect(u8s8.code, u8s8.stderr).toBe(0);
    expect(JSON.parse(u8s8.stdout).quantization).toMatchObject({ precision: "int8-static", activations: expect.stringMatching(/^uint8/) });
  });

  it("refuses a file that is not ONNX (no output written), a missing file, and bad flags", async () => {
    await writeFile(join(scratch, "junk.onnx"), "definitely not protobuf");
    const out = join(scratch, "never.onnx");
    const junk = await cli(["quantize", join(scratch, "junk.onnx"), "--precision", "int8", "-o", out]);
    expect(junk.code).toBe(1);
    expect(junk.stderr).toMatch(/INVALID_ONNX/);
    expect(existsSync(out)).toBe(false);
    expect((await readdir(scratch)).filter((name) => name.includes(".part"))).toEqual([]);
    expect((await cli(["inspect", join(scratch, "missing.onnx")])).code).toBe(4);
    const badPrecision = await cli(["quantize", model, "--precision", "int4", "-o", out]);
    expect(badPrecision.code).toBe(2);
    expect(badPrecision.stderr).toMatch(/--precision fp16\|int8-dynamic\|int8-static\|int8/);
    expect((await cli(["quantize", model, "--precision", "int8"])).code).toBe(2);
    expect((await cli(["quantize", model, "--precision", "int8", "-o", out, "--schedule", "cosine"])).code).toBe(2);
    expect((await cli(["quantize", model, "--precision", "int8", "-o", out, "--activations", "int4"])).code).toBe(2);
  });
});
