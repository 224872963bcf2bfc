/**
 * FID and sampler benchmark for @distillery/eval.
 *
 *   - FID at BENCH_FID_DIM dimensions (default 2048, Inception's width): two sets of statistics
 *     from BENCH_FID_SAMPLES correlated random feature vectors each (default 4096), written as
 *     pytorch-fid npz files; then frechetDistanceAsync (products in onnxruntime) against
 *     pytorch-fid's calculate_frechet_distance (scipy.linalg.sqrtm) run by Debian's python3 on the
 *     same files, BENCH_FID_RUNS times each (default 3; the median is printed). Printed: both
 *     times, their ratio and the relative difference of the two FIDs. BENCH_FID_SYNC=1 adds the
 *     synchronous frechetDistance (all products in TypeScript), run once.
 *   - sampler overhead: benchmarkGeneration of a UNet (one generation = BENCH_STEPS DDIM steps
 *     of a BENCH_BATCH batch, in a fresh worker process): p50/p95 latency, throughput, peak RSS,
 *     and total generation time against the summed onnxruntime session.run time. The UNet is
 *     `--model PATH` (with --channels, --resolution, --classes; defaults 1, 16, 10) or, without
 *     it, one exported by libs/trainer with its default UNetConfig (needs python3-torch).
 *
 * Threads: BENCH_THREADS (default 1) for onnxruntime and for OpenBLAS under scipy.
 *
 * Run:  npm run bench:fid                                 (builds first)
 *       BENCH_FID_DIM=512 npm run bench:fid               (quick run)
 *       npm run bench:fid -- --model student.onnx --channels 1 --resolution 28 --classes 10
 */
import { spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { performance } from "node:perf_hooks";
import {
  benchmarkGeneration,
  featureStatisticsSteps,
  frechetDistance,
  frechetDistanceAsync,
  hardwareClass,
  OnnxGemm,
  Random,
  runGemmStepsAsync,
  writeFidStatistics,
  type FidStatistics,
} from "@distillery/eval";
import { runBench } from "./support/harness";
import { fmtMs, fmtRatio, percentile, printParameters, printTable, positiveIntEnv } from "./support/stats";

const PYTHON = process.env.DISTILLERY_PYTHON ?? "/usr/bin/python3";
const TRAINER = path.resolve(__dirname, "..", "..", "..", "libs", "trainer");
const MIB = 1024 * 1024;

/** libs/eval/scripts: pytorch_fid_reference.py, the formula the tests check against too. */
const EVAL_SCRIPTS = path.resolve(__dirname, "..", "..", "..", "libs", "eval", "scripts");

const PYTORCH_FID = `
import json, sys, time
import numpy as np

from pytorch_fid_reference import calculate_frechet_distance

a, b = np.load(sys.argv[1]), np.load(sys.argv[2])
seconds = []
for _ in range(int(sys.argv[3])):
    start = time.perf_counter()
    fid = calculate_frechet_distance(a["mu"], a["sigma"], b["mu"], b["sigma"])
    seconds.append(time.perf_counter() - start)
print(json.dumps({"fid": float(fid), "seconds": seconds}))
`;

const EXPORT_UNET = `
import sys, torch
from distillery_trainer.export import export_onnx
from distillery_trainer.unet import UNet, UNetConfig
torch.manual_seed(0)
config = UNetConfig()  # the trainer's default architecture; weights do not change the timing
export_onnx(UNet(config).eval(), config, sys.argv[1])
print(config.in_channels, config.resolution, config.num_classes)
`;

interface ModelArgs {
  model?: string;
  channels: number;
  resolution: number;
  classes: number;
}

function parseArgs(argv: string[]): ModelArgs {
  const args: ModelArgs = { channels: 1, resolution: 16, classes: 10 };
  for (let i = 0; i < argv.length; i += 2) {
    const [flag, value] = [argv[i], argv[i + 1]];
    if (value === undefined) throw new Error(`${String(flag)} needs a value`);
    if (flag === "--model") args.model = path.resolve(value);
    else if (flag === "--channels" || flag === "--resolution" || flag === "--classes") {
      const n = Number(value);
      if (!Number.isInteger(n) || n < 1) throw new Error(`${flag} must be a positive integer, got ${value}`);
      args[flag.slice(2) as "channels" | "resolution" | "classes"] = n;
    } else throw new Error(`unknown argument ${String(flag)} (expected --model, --channels, --resolution, --classes)`);
  }
  return args;
}

function python(args: string[], env: Record<string, string> = {}): { ok: true; stdout: string } | { ok: false; reason: string } {
  const res = spawnSync(PYTHON, args, { encoding: "utf8", env: { ...process.env, PYTHONDONTWRITEBYTECODE: "1", ...env }, maxBuffer: 16 * MIB });
  if (res.status === 0) return { ok: true, stdout: res.stdout };
  return { ok: false, reason: (res.stderr || String(res.error)).trim().split("\n").pop() ?? "" };
}

/** Statistics of `n` vectors z M + shift, z standard normal, M a fixed random mixing matrix. */
async function randomStatistics(gemm: OnnxGemm, n: number, d: number, seed: number, shift: number): Promise<FidStatistics> {
  const random = new Random(seed);
  const z = new Float64Array(n * d);
  random.fillNormal(z);
  const mix = new Float64Array(d * d);
  random.fillNormal(mix);
  const scale = 1 / Math.sqrt(d);
  for (let i = 0; i < mix.length; i++) mix[i]! *= scale;
  const x = await gemm.multiply({ a: z, b: mix, m: n, k: d, n: d });
  for (let i = 0; i < x.length; i++) x[i]! += shift;
  const stats = await runGemmStepsAsync(featureStatisticsSteps(x, n, d), gemm);
  return { mu: stats.mu, sigma: stats.sigma, dim: d };
}

async function benchFid(tmp: string, threads: number): Promise<void> {
  const d = positiveIntEnv("BENCH_FID_DIM", 2048);
  const n = positiveIntEnv("BENCH_FID_SAMPLES", 4096);
  console.log(`\n## FID at ${d}-d (${n} samples per side)`);
  const gemm = await OnnxGemm.create({ threads });
  const s1 = await randomStatistics(gemm, n, d, 1, 0);
  const s2 = await randomStatistics(gemm, n, d, 2, 0.05);
  await gemm.release();
  const [file1, file2] = [path.join(tmp, "stats1.npz"), path.join(tmp, "stats2.npz")];
  writeFileSync(file1, writeFidStatistics(s1));
  writeFileSync(file2, writeFidStatistics(s2));

  const runs = positiveIntEnv("BENCH_FID_RUNS", 3);
  const rows: string[][] = [];
  const times: number[] = [];
  let fast = Number.NaN;
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    fast = await frechetDistanceAsync(s1.mu, s1.sigma, s2.mu, s2.sigma, { threads });
    times.push(performance.now() - started);
  }
  const results: Array<{ name: string; ms: number; fid: number }> = [{ name: "TS frechetDistanceAsync (onnxruntime products)", ms: percentile(times, 50), fid: fast }];
  if (process.env["BENCH_FID_SYNC"] === "1") {
    const started = performance.now();
    const slow = frechetDistance(s1.mu, s1.sigma, s2.mu, s2.sigma);
    results.push({ name: "TS frechetDistance (TypeScript products, 1 run)", ms: performance.now() - started, fid: slow });
  }
  const reference = python(["-c", PYTORCH_FID, file1, file2, String(runs)], { OPENBLAS_NUM_THREADS: String(threads), OMP_NUM_THREADS: String(threads), PYTHONPATH: EVAL_SCRIPTS });
  if (!reference.ok) {
    console.log(`scipy reference skipped: ${PYTHON} failed (needs python3-numpy and python3-scipy): ${reference.reason}`);
    printTable(["implementation", "time", "FID"], results.map((r) => [r.name, fmtMs(r.ms, 0), r.fid.toPrecision(12)]));
    return;
  }
  const scipy = JSON.parse(reference.stdout.trim().split("\n").pop() ?? "{}") as { fid: number; seconds: number[] };
  const scipyMs = percentile(scipy.seconds, 50) * 1000;
  for (const r of results) {
    rows.push([r.name, fmtMs(r.ms, 0), r.fid.toPrecision(12), fmtRatio(r.ms / scipyMs), (Math.abs(r.fid - scipy.fid) / Math.abs(scipy.fid)).toExponential(2)]);
  }
  rows.push(["scipy pytorch-fid (linalg.sqrtm)", fmtMs(scipyMs, 0), scipy.fid.toPrecision(12), "1.00", "-"]);
  printTable(["implementation", "time", "FID", "time / scipy", "relative difference"], rows);
}

async function benchSampler(tmp: string, threads: number, args: ModelArgs): Promise<void> {
  const steps = positiveIntEnv("BENCH_STEPS", 20);
  const batch = positiveIntEnv("BENCH_BATCH", 16);
  const runs = positiveIntEnv("BENCH_RUNS", 5);
  let { model, channels, resolution, classes } = args;
  if (!model) {
    model = path.join(tmp, "unet.onnx");
    const exported = python(["-c", EXPORT_UNET, model], { PYTHONPATH: TRAINER, OPENBLAS_NUM_THREADS: "1" });
    if (!exported.ok) {
      console.log(`\n## Sampler overhead: skipped (no --model, and exporting a UNet needs python3-torch and python3-onnx): ${exported.reason}`);
      return;
    }
    [channels, resolution, classes] = exported.stdout.trim().split(/\s+/).map(Number) as [number, number, number];
  }
  console.log(`\n## Sampler overhead: ${path.basename(model)} (${readFileSync(model).length.toLocaleString("en-US")} bytes), ${channels}x${resolution}x${resolution}, ${steps} DDIM steps, batch ${batch}`);
  const r = await benchmarkGeneration(model, {
    channels,
    resolution,
    classes,
    schedule: { kind: "cosine", steps: 1000 },
    steps,
    batch,
    threads,
    warmupRuns: 1,
    runs,
    seed: 0,
  });
  printTable(
    ["generation", "p50", "p95", "mean", "images/s", "onnxruntime run (p50)", "total / onnxruntime", "peak RSS", "baseline RSS"],
    [
      [
        `${steps} steps x ${batch} images`,
        fmtMs(r.latencyP50Ms),
        fmtMs(r.latencyP95Ms),
        fmtMs(r.meanMs),
        r.throughput.toFixed(1),
        fmtMs(r.onnxRunMs),
        fmtRatio(r.latencyP50Ms / r.onnxRunMs),
        `${(r.peakRssBytes / MIB).toFixed(0)} MiB`,
        `${(r.baselineRssBytes / MIB).toFixed(0)} MiB`,
      ],
    ],
  );
  console.log(`sampler overhead: ${fmtMs(r.latencyP50Ms - r.onnxRunMs)} per generation outside session.run (${((1 - r.onnxRunMs / r.latencyP50Ms) * 100).toFixed(1)}%)`);
}

void runBench("fid", async ({ tmp }) => {
  const args = parseArgs(process.argv.slice(2));
  const threads = positiveIntEnv("BENCH_THREADS", 1);
  printParameters("fid", [
    ["BENCH_FID_DIM", positiveIntEnv("BENCH_FID_DIM", 2048)],
    ["BENCH_FID_SAMPLES", positiveIntEnv("BENCH_FID_SAMPLES", 4096)],
    ["BENCH_FID_RUNS", positiveIntEnv("BENCH_FID_RUNS", 3)],
    ["BENCH_THREADS", threads],
    ["BENCH_STEPS", positiveIntEnv("BENCH_STEPS", 20)],
    ["BENCH_BATCH", positiveIntEnv("BENCH_BATCH", 16)],
  ]);
  console.log(`hardware: ${hardwareClass()}`);
  await benchFid(tmp, threads);
  await benchSampler(tmp, threads, args);
});
