import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { benchmarkGeneration, GenerationBenchmarkError, hardwareClass, type GenerationBenchmarkOptions } from "./generation-benchmark";
import { encodeOnnxModel } from "./onnx-model-writer";
import { toyUnetModel } from "./toy-models.test-helper";

const dir = mkdtempSync(join(tmpdir(), "eval-generation-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const unetPath = join(dir, "toy-unet.onnx");
writeFileSync(unetPath, toyUnetModel(2, 8));

const options: GenerationBenchmarkOptions = {
  channels: 2,
  resolution: 8,
  classes: 4,
  schedule: { kind: "cosine", steps: 1000 },
  steps: 4,
  batch: 3,
  threads: 1,
  warmupRuns: 1,
  runs: 5,
  seed: 0,
};

async function failure(promise: Promise<unknown>): Promise<GenerationBenchmarkError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(GenerationBenchmarkError);
  return error as GenerationBenchmarkError;
}

describe("benchmarkGeneration (a fresh worker process per model)", () => {
  it("reports latency percentiles, throughput, peak and baseline RSS and the onnxruntime share", async () => {
    const r = await benchmarkGeneration(unetPath, options);
    expect(r.runs).toBe(5);
    expect(r.latencyP50Ms).toBeGreaterThan(0);
    expect(r.latencyP50Ms).toBeLessThanOrEqual(r.latencyP95Ms);
    expect(r.meanMs).toBeGreaterThan(0);
    expect(r.throughput).toBeCloseTo((options.batch / r.latencyP50Ms) * 1000, 9);
    expect(r.baselineRssBytes).toBeGreaterThan(10 * 1024 * 1024); // node + onnxruntime loaded
    expect(r.peakRssBytes).toBeGreaterThan(r.baselineRssBytes);
    expect(r.onnxRunMs).toBeGreaterThan(0);
    expect(r.onnxRunMs).toBeLessThanOrEqual(r.latencyP95Ms);
  });

  it("fails with a code, not a hang, for a missing, a corrupt or a non-UNet model", async () => {
    const missing = await failure(benchmarkGeneration(join(dir, "nope.onnx"), options));
    expect(missing.code).toBe("MODEL_NOT_FOUND");
    expect(missing.message).toContain("nope.onnx");

    const corrupt = join(dir, "corrupt.onnx");
    writeFileSync(corrupt, "not a model");
    expect((await failure(benchmarkGeneration(corrupt, options))).code).toBe("MODEL_LOAD_FAILED");

    const identity = join(dir, "identity.onnx");
    writeFileSync(
      identity,
      encodeOnnxModel({
        name: "identity",
        nodes: [{ op: "Identity", inputs: ["x"], outputs: ["y"] }],
        inputs: [{ name: "x", type: "float32", shape: ["batch", 2, 8, 8] }],
        outputs: [{ name: "y", type: "float32", shape: ["batch", 2, 8, 8] }],
      }),
    );
    const notUnet = await failure(benchmarkGeneration(identity, options));
    expect(notUnet.code).toBe("GENERATION_FAILED");
    expect(notUnet.message).toMatch(/inputs x, t, class/);
  });

  it("refuses bad options before starting a worker, and kills a worker that runs too long", async () => {
    expect((await failure(benchmarkGeneration(unetPath, { ...options, batch: 0 }))).code).toBe("INVALID_OPTIONS");
    expect((await failure(benchmarkGeneration(unetPath, { ...options, schedule: { kind: "cosine", steps: 3 } }))).code).toBe("INVALID_OPTIONS");
    expect((await failure(benchmarkGeneration(unetPath, { ...options, timeoutMs: 1 }))).code).toBe("WORKER_TIMEOUT");
  });
});

describe("hardwareClass", () => {
  it("names the CPU model", () => {
    expect(hardwareClass()).toMatch(/^cpu:\S.*\S$/);
    expect(hardwareClass()).not.toMatch(/\s{2}/);
  });
});
