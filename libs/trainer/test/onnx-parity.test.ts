import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as ort from "onnxruntime-node";
import { afterAll, describe, expect, it } from "vitest";

const TRAINER_ROOT = join(__dirname, "..");
const PYTHON = process.env.DISTILLERY_PYTHON ?? "/usr/bin/python3";
const hasTorch = spawnSync(PYTHON, ["-c", "import torch, onnx"]).status === 0;
const requireTorch = process.env.CI === "true";
const work = mkdtempSync(join(tmpdir(), "onnx-parity-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

interface Fixture {
  onnx: string;
  shape: number[];
  x: number[];
  t: number[];
  class: number[];
  eps: number[];
}

/** The trainer's ONNX export, run where the platform runs it: onnxruntime-node, CPU. */
describe.skipIf(!hasTorch && !requireTorch)("the trainer's ONNX export in onnxruntime-node (needs Debian's python3-torch and python3-onnx)", () => {
  it("the UNet predicts the same noise as torch within 1e-4 (batch 3 and 1), the extractor the same features and logits", async () => {
    const made = spawnSync(PYTHON, [join(TRAINER_ROOT, "scripts", "onnx_parity_fixture.py"), work], {
      env: { ...process.env, PYTHONPATH: TRAINER_ROOT, OPENBLAS_NUM_THREADS: "1" },
      encoding: "utf8",
    });
    expect(made.status, made.stderr).toBe(0);
    const fixture = JSON.parse(readFileSync(join(work, "fixture.json"), "utf8")) as Fixture;
    const session = await ort.InferenceSession.create(fixture.onnx, { executionProviders: ["cpu"] });
    expect([...session.inputNames].sort()).toEqual(["class", "t", "x"]);
    expect(session.outputNames).toEqual(["eps"]);

    const [batch, ...sample] = fixture.shape as [number, ...number[]];
    const perSample = sample.reduce((a, b) => a * b, 1);
    const run = async (from: number, count: number) => {
      const feeds = {
        x: new ort.Tensor("float32", Float32Array.from(fixture.x.slice(from * perSample, (from + count) * perSample)), [count, ...sample]),
        t: new ort.Tensor("int64", BigInt64Array.from(fixture.t.slice(from, from + count).map(BigInt)), [count]),
        class: new ort.Tensor("int64", BigInt64Array.from(fixture.class.slice(from, from + count).map(BigInt)), [count]),
      };
      return Array.from((await session.run(feeds)).eps!.data as Float32Array);
    };
    const maxDifference = (actual: number[], expected: number[]) => Math.max(...actual.map((value, index) => Math.abs(value - expected[index]!)));

    const all = await run(0, batch);
    expect(all).toHaveLength(fixture.eps.length);
    expect(Math.max(...fixture.eps.map(Math.abs))).toBeGreaterThan(1e-3);
    expect(maxDifference(all, fixture.eps)).toBeLessThan(1e-4);
    // The batch axis is dynamic: one sample alone gives the same answer.
    expect(maxDifference(await run(1, 1), fixture.eps.slice(perSample, 2 * perSample))).toBeLessThan(1e-4);

    // The FID extractor: both of its outputs, on the same images.
    const extractorFixture = JSON.parse(readFileSync(join(work, "extractor.json"), "utf8")) as { onnx: string; features: number[]; logits: number[] };
    const extractor = await ort.InferenceSession.create(extractorFixture.onnx, { executionProviders: ["cpu"] });
    expect([...extractor.outputNames].sort()).toEqual(["features", "logits"]);
    const outputs = await extractor.run({ x: new ort.Tensor("float32", Float32Array.from(fixture.x), fixture.shape) });
    expect(maxDifference(Array.from(outputs.features!.data as Float32Array), extractorFixture.features)).toBeLessThan(1e-4);
    expect(maxDifference(Array.from(outputs.logits!.data as Float32Array), extractorFixture.logits)).toBeLessThan(1e-4);
  });
});
