/**
 * Quantization benchmark: latency and output error of a diffusion UNet in onnxruntime-node (CPU)
 * at float32 against its fp16, int8-dynamic and int8-static versions made by @distillery/onnx.
 *
 *   - the model: `--model PATH`, a trained UNet export (inputs x float32 [B, C, H, W], t and
 *     class int64 [B]; output eps), such as a student's ONNX artifact; without it a small UNet
 *     is trained first with libs/trainer (BENCH_TRAIN_STEPS steps, default 100, one torch thread);
 *   - the variants: fp16, int8-dynamic, int8-static (QDQ S8S8, minmax calibration on
 *     BENCH_CALIBRATION_BATCHES batches of 16, default 8) and, for comparison, int8-static with
 *     uint8 activations (U8S8), which onnxruntime fuses completely on x86 without VNNI;
 *   - latency: one session per variant (CPU provider, BENCH_THREADS intra-op threads, default 1,
 *     graph optimization "all"), a batch of BENCH_BATCH (default 8), BENCH_WARMUPS untimed runs
 *     (default 5) then BENCH_RUNS timed runs (default 50), the variants taking turns run by run
 *     so that other load on the machine hits them alike: p50 / p95, and p50 / fp32's p50;
 *   - error: compareOutputs against the float32 model on 4 held-out batches of BENCH_BATCH
 *     (x ~ N(0, 1), t spread over 0..999, classes cycling), relative RMSE and max |error|;
 *   - fused: the QLinearConv / QLinearMatMul / QGemm / MatMulIntegerToFloat / DynamicQuantizeMatMul
 *     nodes in the graph onnxruntime runs (optimizedModelFilePath), against the Conv, MatMul and
 *     Gemm nodes of the source.
 * Latency is not asserted: this is a measurement, printed with the command that repeats it.
 *
 * Run:  npm run bench:quantization                                   (builds first)
 *       node tests/dist/bench/quantization.js --model path/to/student.onnx
 *       BENCH_RUNS=10 BENCH_TRAIN_STEPS=40 npm run bench:quantization  (quick run)
 */
import { spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { performance } from "node:perf_hooks";
import { compareOutputs, createCpuSession, inspectModel, ort, quantize, quantizeStaticInt8, readModel, writeModel, type Feeds } from "@distillery/onnx";
import { runBench } from "./support/harness";
import { REPO_ROOT } from "../support/repo-root";
import { fmtMs, fmtRatio, printParameters, printTable, positiveIntEnv, summarize, type Summary } from "./support/stats";

const PYTHON = process.env["DISTILLERY_PYTHON"] ?? "/usr/bin/python3";

interface Variant {
  name: string;
  bytes: Uint8Array;
  note: string;
}

interface InputShape {
  channels: number;
  height: number;
  width: number;
  classes: number;
}

function modelArgument(): string | undefined {
  const index = process.argv.indexOf("--model");
  if (index < 0) return undefined;
  const value = process.argv[index + 1];
  if (!value) throw new Error("--model needs a path");
  return path.resolve(value);
}

/** Trains the small UNet the onnx tests use, longer, and returns its teacher.onnx. */
function trainUnet(dir: string, steps: number): string {
  const spec = {
    dataset: { source: "synthetic", samples: 256, resolution: 16, classes: 4 },
    model: { channels: [16, 32], layersPerBlock: 1, attentionStages: [1], groups: 8, heads: 4 },
    training: { steps, batchSize: 32, lr: 1e-3, warmupSteps: 10, emaDecay: 0.9, checkpointEvery: steps },
  };
  writeFileSync(path.join(dir, "spec.json"), JSON.stringify(spec));
  const t0 = performance.now();
  process.stdout.write(`training a UNet with libs/trainer (${steps} steps) ... `);
  const trained = spawnSync(PYTHON, ["-m", "distillery_trainer", "pretrain", "--spec", path.join(dir, "spec.json"), "--work-dir", dir, "--threads", "1"], {
    env: { ...process.env, PYTHONPATH: path.join(REPO_ROOT, "libs", "trainer"), OPENBLAS_NUM_THREADS: "1" },
    encoding: "utf8",
  });
  if (trained.status !== 0) throw new Error(`the trainer failed (status ${String(trained.status)}; needs Debian's python3-torch): ${trained.stderr.slice(-2000)}`);
  console.log(`${((performance.now() - t0) / 1000).toFixed(1)} s`);
  return path.join(dir, "teacher.onnx");
}

/** C, H, W from the x input; classes from the trainer's unet_config metadata (+1: unconditional). */
function inputShape(bytes: Uint8Array): InputShape {
  const inspection = inspectModel(readModel(bytes));
  const x = inspection.inputs.find((input) => input.name === "x");
  const names = inspection.inputs.map((input) => input.name).sort();
  if (!x || names.join(",") !== "class,t,x") throw new Error(`expected inputs x, t, class; the model has ${names.join(", ")}`);
  const [, channels, height, width] = x.shape;
  if (typeof channels !== "number" || typeof height !== "number" || typeof width !== "number") throw new Error(`x has no fixed C, H, W: [${x.shape.join(", ")}]`);
  const config = inspection.metadata["unet_config"];
  const classes = config ? Number((JSON.parse(config) as { num_classes?: number }).num_classes ?? 0) + 1 : 1;
  return { channels, height, width, classes };
}

/** x ~ N(0, 1) (seeded), t spread over 0..999, classes cycling. */
function unetFeeds(shape: InputShape, batch: number, seed: number): Feeds {
  let state = seed >>> 0;
  const uniform = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = Math.imul(state ^ (state >>> 15), state | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const size = batch * shape.channels * shape.height * shape.width;
  const x = Float32Array.from({ length: size }, () => Math.sqrt(-2 * Math.log(1 - uniform())) * Math.cos(2 * Math.PI * uniform()));
  return {
    x: new ort.Tensor("float32", x, [batch, shape.channels, shape.height, shape.width]),
    t: new ort.Tensor("int64", BigInt64Array.from({ length: batch }, (_, i) => BigInt(Math.floor(((i + (seed % 7) / 7) * 1000) / batch) % 1000)), [batch]),
    class: new ort.Tensor("int64", BigInt64Array.from({ length: batch }, (_, i) => BigInt((i + seed) % shape.classes)), [batch]),
  };
}

const FUSED = ["QLinearConv", "QLinearMatMul", "QGemm", "MatMulIntegerToFloat", "DynamicQuantizeMatMul"];

/** Fused quantized nodes in the graph onnxruntime runs, and float Conv/MatMul/Gemm left. */
async function fusion(bytes: Uint8Array, dir: string, name: string): Promise<string> {
  const file = path.join(dir, `${name}.optimized.onnx`);
  const session = await ort.InferenceSession.create(bytes, { executionProviders: ["cpu"], graphOptimizationLevel: "all", optimizedModelFilePath: file, logSeverityLevel: 3 });
  await session.release();
  let fused = 0;
  let float = 0;
  for (const [op, count] of Object.entries(inspectModel(readModel(readFileSync(file))).opHistogram)) {
    const bare = op.split(".").pop()!;
    if (FUSED.includes(bare)) fused += count;
    else if (bare === "Conv" || bare === "MatMul" || bare === "Gemm") float += count;
  }
  return `${fused} fused, ${float} float`;
}

async function main(): Promise<void> {
  const runs = positiveIntEnv("BENCH_RUNS", 50);
  const warmups = positiveIntEnv("BENCH_WARMUPS", 5);
  const batch = positiveIntEnv("BENCH_BATCH", 8);
  const threads = positiveIntEnv("BENCH_THREADS", 1);
  const calibrationBatches = positiveIntEnv("BENCH_CALIBRATION_BATCHES", 8);
  const trainSteps = positiveIntEnv("BENCH_TRAIN_STEPS", 100);
  const modelPath = modelArgument();

  await runBench("quantization", async (ctx) => {
    printParameters("quantization", [
      ["BENCH_RUNS", runs],
      ["BENCH_WARMUPS", warmups],
      ["BENCH_BATCH", batch],
      ["BENCH_THREADS", threads],
      ["BENCH_CALIBRATION_BATCHES", calibrationBatches],
      ...(modelPath ? [] : ([["BENCH_TRAIN_STEPS", trainSteps]] as const)),
    ]);
    const source = readFileSync(modelPath ?? trainUnet(ctx.tmp, trainSteps));
    const shape = inputShape(source);
    const inspection = inspectModel(readModel(source));
    console.log(
      `model: ${modelPath ?? "trained here"}; ${inspection.params.toLocaleString("en-US")} params, opset ${inspection.opset}, ` +
        `x [${batch}, ${shape.channels}, ${shape.height}, ${shape.width}], ${shape.classes} class labels; ` +
        `${["Conv", "MatMul", "Gemm"].map((op) => `${inspection.opHistogram[op] ?? 0} ${op}`).join(", ")}`,
    );

    const calibration = () => Array.from({ length: calibrationBatches }, (_, i) => unetFeeds(shape, 16, 1000 + i));
    const heldOut = Array.from({ length: 4 }, (_, i) => unetFeeds(shape, batch, i));
    process.stdout.write("quantizing ... ");
    const t0 = performance.now();
    const fp16 = await quantize(source, { precision: "fp16" });
    const dynamic = await quantize(source, { precision: "int8-dynamic" });
    const staticS8 = await quantize(source, { precision: "int8-static", calibration: { method: "minmax", feeds: calibration() } });
    const staticU8 = writeModel(await quantizeStaticInt8(readModel(source), { method: "minmax", feeds: calibration() }, { activations: "uint8" }));
    console.log(`${((performance.now() - t0) / 1000).toFixed(1)} s`);
    const kept = Object.entries(fp16.quantization["keptInFloat32"] as Record<string, { nodes: number }>).reduce((sum, [, v]) => sum + v.nodes, 0);
    const variants: Variant[] = [
      { name: "fp32", bytes: source, note: "the source" },
      { name: "fp16", bytes: fp16.bytes, note: `${kept} nodes kept in float32 (no CPU float16 kernel)` },
      { name: "int8-dynamic", bytes: dynamic.bytes, note: "MatMul/Gemm only; Conv stays float32" },
      { name: "int8-static S8S8", bytes: staticS8.bytes, note: "QDQ, minmax, 7-bit weights" },
      { name: "int8-static U8S8", bytes: staticU8, note: "same, uint8 activations (extra row)" },
    ];

    const sessions = await Promise.all(
      variants.map((v) => createCpuSession(v.bytes, { intraOpNumThreads: threads, interOpNumThreads: 1, graphOptimizationLevel: "all" })),
    );
    ctx.onCleanup(async () => void (await Promise.all(sessions.map((s) => s.release()))));
    const feeds = unetFeeds(shape, batch, 99);
    process.stdout.write(`latency: ${warmups} warm-ups + ${runs} runs per variant, taking turns ... `);
    for (let i = 0; i < warmups; i++) for (const session of sessions) await session.run(feeds);
    const samples: number[][] = variants.map(() => []);
    for (let i = 0; i < runs; i++) {
      for (const [index, session] of sessions.entries()) {
        const t = performance.now();
        await session.run(feeds);
        samples[index]!.push(performance.now() - t);
      }
    }
    console.log("done");

    const summaries: Summary[] = samples.map(summarize);
    const fp32p50 = summaries[0]!.p50;
    const rows: string[][] = [];
    for (const [index, variant] of variants.entries()) {
      const s = summaries[index]!;
      const error = index === 0 ? undefined : (await compareOutputs(source, variant.bytes, heldOut))[0];
      rows.push([
        variant.name,
        `${(variant.bytes.length / 1024).toFixed(0)} KB`,
        fmtMs(s.p50, 2),
        fmtMs(s.p95, 2),
        fmtRatio(s.p50 / fp32p50),
        error ? error.relativeRmse.toExponential(2) : "-",
        error ? error.maxAbs.toExponential(2) : "-",
        index === 0 ? "-" : await fusion(variant.bytes, ctx.tmp, `v${index}`),
        variant.note,
      ]);
    }
    console.log("");
    printTable(["variant", "file", "p50", "p95", "p50 vs fp32", "rel. RMSE", "max |err|", "Conv/MatMul/Gemm in ORT", "note"], rows, [
      "left", "right", "right", "right", "right", "right", "right", "left", "left",
    ]);
  });
}

void main();
