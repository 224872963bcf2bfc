import { spawnSync } from "node:child_process";
import type { EvaluationMeasurements } from "@distillery/domain";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Platform } from "./support/platform";

const PYTHON = process.env.DISTILLERY_PYTHON ?? "/usr/bin/python3";
const hasTorch = spawnSync(PYTHON, ["-c", "import torch, onnx"]).status === 0;

const DATASET = { source: "synthetic", samples: 64, resolution: 8, classes: 4, seed: 1 };
const TRAINING = { steps: 4, batchSize: 8, lr: 0.001, warmupSteps: 1, checkpointEvery: 100, seed: 3 };
/** Tiny, so the whole chain runs in a couple of minutes on 2 cores; the numbers mean nothing, their plumbing does. */
const PROTOCOL = { extractor: "qe-extractor@v1", samples: 24, sampler: { steps: 3 }, batch: 8, threads: 1, latency: { warmupRuns: 0, runs: 2 }, seed: 5 };
const CALIBRATION = { method: "percentile", samples: 4, steps: 4 };
/** Relative RMSE of eps against fp32 (libs/onnx's trained-UNet test measured 2e-4, 1e-3 and 2e-2). */
const ERROR_BOUND: Record<string, number> = { fp16: 5e-3, "int8-dynamic": 2e-2, "int8-static": 0.15 };

interface Row extends EvaluationMeasurements {
  version: { ref: string; precision: string; model: { role: string } };
  sizeBytes: number;
  dominated: boolean;
}

const ROW_FIELDS = "version { ref precision model { role } } fid latencyP50Ms latencyP95Ms throughput peakMemoryBytes params sizeBytes dominated";

let platform: Platform;

async function leaderboard(protocol: string, args = ""): Promise<{ rows: Row[]; totalCount: number }> {
  const data = await platform.admin.ok(`query($p: String!) { leaderboard(protocol: $p${args}) { totalCount rows { ${ROW_FIELDS} } } }`, { p: protocol });
  return data.leaderboard;
}

/** Beaten on FID, latency and memory at once: <= on all three and < on one, by another row. */
function dominatedRefs(rows: Row[]): string[] {
  const beats = (a: Row, b: Row) =>
    a.fid <= b.fid && a.latencyP50Ms <= b.latencyP50Ms && a.peakMemoryBytes <= b.peakMemoryBytes && (a.fid < b.fid || a.latencyP50Ms < b.latencyP50Ms || a.peakMemoryBytes < b.peakMemoryBytes);
  return rows.filter((row) => rows.some((other) => other !== row && beats(other, row))).map((row) => row.version.ref).sort();
}

/** train -> export -> quantize -> evaluate in one DISTILL job, then the leaderboard (needs python3-torch, python3-onnx). */
describe.skipIf(!hasTorch && process.env.CI !== "true")("quantize and evaluate on the embedded platform with a local runner", () => {
  beforeAll(async () => {
    platform = await Platform.start({});
    await platform.startRunner("qe-runner");
    await platform.launchAndFinish("qe-teacher", "PRETRAIN", {
      dataset: DATASET,
      model: { channels: [8, 16], layersPerBlock: 1, attentionStages: [1], groups: 4, heads: 2 },
      schedule: { kind: "cosine", steps: 100 },
      training: TRAINING,
      output: { model: "qe-teacher" },
    });
    await platform.launchAndFinish("qe-extractor", "EXTRACTOR", {
      dataset: DATASET,
      model: { channels: [8, 16], featureDim: 8 },
      training: { steps: 20, batchSize: 16, lr: 0.003, seed: 0 },
      referenceSamples: 64,
      output: { model: "qe-extractor" },
    });
  });
  afterAll(() => platform?.stop());

  it("a distill job with quantize and evaluate sections registers the variants and ranks teacher, student and variants under one protocol", async () => {
    const runId = await platform.launchAndFinish(
      "qe-student",
      "DISTILL",
      {
        teacher: "qe-teacher@v1",
        dataset: DATASET,
        student: { derive: { channelScale: 0.5, dropMid: true } },
        strategy: { output: { weight: 1, alpha: 0.5 } },
        training: TRAINING,
        output: { model: "qe-student" },
        quantize: { methods: ["fp16", "int8-dynamic", "int8-static"], calibration: CALIBRATION, heldOutSamples: 2 },
        evaluate: { protocol: PROTOCOL },
      },
      400_000,
    );

    // The variants: versions of the student's model, QUANTIZED_FROM its ONNX export, with what was done.
    const student = await platform.versionsOf("qe-student");
    const onnx = student.versions.find((version) => version.format === "ONNX" && version.precision === "FP32");
    const variants = student.versions.filter((version) => version.parents.some((parent: any) => parent.relation === "QUANTIZED_FROM"));
    expect(variants.map((variant) => variant.metadata.quantization.precision).sort()).toEqual(["fp16", "int8-dynamic", "int8-static"]);
    for (const variant of variants) {
      expect(variant.format).toBe("ONNX");
      expect(variant.precision).toBe(variant.metadata.quantization.precision === "fp16" ? "FP16" : "INT8");
      expect(variant.producedBy).toEqual({ id: runId });
      expect(variant.parents).toEqual([
        { relation: "QUANTIZED_FROM", version: { ref: onnx.ref }, recipe: expect.objectContaining({ method: variant.metadata.quantization.precision }) },
      ]);
      // The error against fp32 on held-out trajectories, within the bounds libs/onnx states for a trained UNet.
      const [error] = variant.metadata.outputError;
      expect(error.output).toBe("eps");
      expect(error.relativeRmse).toBeLessThan(ERROR_BOUND[variant.metadata.quantization.precision]!);
      expect(variant.metadata.architecture).toEqual(onnx.metadata.architecture);
    }
    const staticRecipe = variants.find((variant) => variant.metadata.quantization.precision === "int8-static").parents[0].recipe;
    expect(staticRecipe.calibration).toMatchObject(CALIBRATION);

    // One protocol; the teacher's ONNX export, the student and the three variants on it.
    const { protocols } = await platform.admin.ok(`{ protocols { key samples steps batch threads evaluationCount extractor { ref } } }`);
    expect(protocols).toHaveLength(1);
    const protocol = protocols[0];
    expect(protocol).toMatchObject({ samples: 24, steps: 3, batch: 8, threads: 1, evaluationCount: 5, extractor: { ref: "qe-extractor@v1" } });

    const board = await leaderboard(protocol.key);
    expect(board.totalCount).toBe(5);
    expect(board.rows.map((row) => row.version.ref).sort()).toEqual(["qe-teacher@v2", onnx.ref, ...variants.map((variant) => variant.ref)].sort());
    for (const row of board.rows) {
      expect(Number.isFinite(row.fid) && row.fid >= 0, row.version.ref).toBe(true);
      expect(row.latencyP50Ms).toBeGreaterThan(0);
      expect(row.latencyP95Ms).toBeGreaterThanOrEqual(row.latencyP50Ms);
      expect(row.throughput).toBeCloseTo((8 * 1000) / row.latencyP50Ms, 6);
      expect(row.peakMemoryBytes).toBeGreaterThan(10 * 2 ** 20);
      expect(row.params).toBeGreaterThan(0);
      expect(row.sizeBytes).toBeGreaterThan(0);
    }
    // Sorted by FID, lowest first; `dominated` exactly as the definition says on the measured values.
    expect(board.rows.map((row) => row.fid)).toEqual([...board.rows.map((row) => row.fid)].sort((a, b) => a - b));
    expect(board.rows.filter((row) => row.dominated).map((row) => row.version.ref).sort()).toEqual(dominatedRefs(board.rows));
    const front = await leaderboard(protocol.key, ", pareto: true");
    expect(front.rows.map((row) => row.version.ref).sort()).toEqual(board.rows.filter((row) => !row.dominated).map((row) => row.version.ref).sort());
    expect(front.rows.every((row) => !row.dominated)).toBe(true);

    // Filters: the int8 variants alone; the teacher alone.
    const int8 = await leaderboard(protocol.key, ", filter: { precision: INT8 }");
    expect(int8.rows.map((row) => row.version.precision)).toEqual(["INT8", "INT8"]);
    const teachers = await leaderboard(protocol.key, ", filter: { role: TEACHER }");
    expect(teachers.rows.map((row) => row.version.ref)).toEqual(["qe-teacher@v2"]);

    // The run's result and the version's evaluations say the same.
    const { evaluations } = await platform.admin.ok(`query($v: String!) { evaluations(version: $v) { fid protocol { key } run { id } } }`, { v: onnx.ref });
    expect(evaluations).toEqual([{ fid: board.rows.find((row) => row.version.ref === onnx.ref)!.fid, protocol: { key: protocol.key }, run: { id: runId } }]);
  });

  it("QUANTIZE and EVALUATE run as kinds of their own; another sampler setting is another protocol, never ranked with the first", async () => {
    await platform.launchAndFinish("qe-quantize-teacher", "QUANTIZE", { source: "qe-teacher@v2", methods: ["int8-static"], calibration: CALIBRATION, heldOutSamples: 2 }, 300_000);
    const teacher = await platform.versionsOf("qe-teacher");
    const int8 = teacher.versions.find((version) => version.precision === "INT8");
    expect(int8.parents).toEqual([{ relation: "QUANTIZED_FROM", version: { ref: "qe-teacher@v2" }, recipe: expect.objectContaining({ method: "int8-static" }) }]);

    await platform.launchAndFinish("qe-evaluate", "EVALUATE", { models: ["qe-teacher@v2", int8.ref], protocol: { ...PROTOCOL, sampler: { steps: 2 } } }, 300_000);
    const { protocols } = await platform.admin.ok(`{ protocols { key steps evaluationCount } }`);
    expect(protocols.map((protocol: any) => [protocol.steps, protocol.evaluationCount]).sort()).toEqual([
      [2, 2],
      [3, 5],
    ]);
    const twoSteps = protocols.find((protocol: any) => protocol.steps === 2);
    const board = await leaderboard(twoSteps.key);
    expect(board.rows.map((row) => row.version.ref).sort()).toEqual(["qe-teacher@v2", int8.ref].sort());
  });

  it("a quantize job naming a model that is not an ONNX UNet fails as the user's error and registers nothing", async () => {
    await expect(platform.launchAndFinish("qe-bad-source", "QUANTIZE", { source: "qe-teacher@v1" })).rejects.toThrow(/FAILED.*TORCH, not ONNX.*"failureKind":"USER_ERROR"/s);
    const before = (await platform.versionsOf("qe-extractor")).versions.length;
    await expect(platform.launchAndFinish("qe-bad-kind", "QUANTIZE", { source: "qe-extractor@v1" })).rejects.toThrow(/FAILED.*not a UNet.*"failureKind":"USER_ERROR"/s);
    expect((await platform.versionsOf("qe-extractor")).versions).toHaveLength(before);
  });
});
