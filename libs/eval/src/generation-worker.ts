// The child process of benchmarkGeneration: `node generation-worker.js '<json>'` with
// {modelPath, options}. Loads the model with onnxruntime's CPU arena and memory-pattern planner
// off, runs warm-up and timed generations (ddimSample over one batch, all steps), and prints one
// JSON line (GenerationWorkerReply). Its own process so its peak RSS belongs to this model alone.
import { existsSync } from "node:fs";
import * as ort from "onnxruntime-node";
import { ddimSample } from "./ddim-sampler";
import {
  GenerationBenchmarkError,
  validateGenerationOptions,
  type GenerationBenchmarkOptions,
  type GenerationBenchmarkResult,
  type GenerationWorkerReply,
} from "./generation-benchmark";
import { NoiseSchedule } from "./noise-schedule";

/** Nearest-rank percentile (p in 0..100) of unsorted samples. */
export function percentile(samples: readonly number[], p: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length)));
  return sorted[rank - 1]!;
}

async function measure(modelPath: string, options: GenerationBenchmarkOptions): Promise<GenerationBenchmarkResult> {
  validateGenerationOptions(options);
  if (!existsSync(modelPath)) throw new GenerationBenchmarkError("MODEL_NOT_FOUND", `no model file at ${modelPath}`);
  const schedule = new NoiseSchedule(options.schedule);
  const baselineRssBytes = process.memoryUsage().rss;
  let session: ort.InferenceSession;
  try {
    session = await ort.InferenceSession.create(modelPath, {
      executionProviders: ["cpu"],
      intraOpNumThreads: options.threads,
      interOpNumThreads: 1,
      executionMode: "sequential",
      enableCpuMemArena: false,
      enableMemPattern: false,
    });
  } catch (error) {
    throw new GenerationBenchmarkError("MODEL_LOAD_FAILED", `onnxruntime could not load ${modelPath}: ${error instanceof Error ? error.message : String(error)}`);
  }
  const generate = async () => {
    try {
      return await ddimSample(session, schedule, {
        channels: options.channels,
        resolution: options.resolution,
        classLabels: Array.from({ length: options.batch }, (_, i) => i % options.classes),
        steps: options.steps,
        eta: options.eta ?? 0,
        seed: options.seed,
        batch: options.batch,
      });
    } catch (error) {
      throw new GenerationBenchmarkError("GENERATION_FAILED", `generation with ${modelPath} failed: ${error instanceof Error ? error.message : String(error)}`);
    }
  };
  for (let i = 0; i < options.warmupRuns; i++) await generate();
  const latencies: number[] = [];
  const onnxTimes: number[] = [];
  for (let i = 0; i < options.runs; i++) {
    const { totalMs, onnxRunMs } = await generate();
    latencies.push(totalMs);
    onnxTimes.push(onnxRunMs);
  }
  await session.release();
  const latencyP50Ms = percentile(latencies, 50);
  return {
    latencyP50Ms,
    latencyP95Ms: percentile(latencies, 95),
    meanMs: latencies.reduce((a, b) => a + b, 0) / latencies.length,
    throughput: (options.batch / latencyP50Ms) * 1000,
    peakRssBytes: process.resourceUsage().maxRSS * 1024, // maxRSS is in KiB
    baselineRssBytes,
    onnxRunMs: percentile(onnxTimes, 50),
    runs: options.runs,
  };
}

async function main(): Promise<void> {
  let reply: GenerationWorkerReply;
  try {
    let input: { modelPath?: unknown; options?: GenerationBenchmarkOptions } = {};
    try {
      input = JSON.parse(process.argv[2] ?? "") as typeof input;
    } catch {
      // reported below as a usage error
    }
    if (typeof input.modelPath !== "string" || typeof input.options !== "object" || input.options === null) {
      throw new GenerationBenchmarkError("INVALID_OPTIONS", "usage: generation-worker.js '{\"modelPath\": ..., \"options\": {...}}'");
    }
    reply = { ok: true, result: await measure(input.modelPath, input.options) };
  } catch (error) {
    reply =
      error instanceof GenerationBenchmarkError
        ? { ok: false, code: error.code, message: error.message }
        : { ok: false, code: "WORKER_FAILED", message: error instanceof Error ? error.stack ?? error.message : String(error) };
  }
  process.stdout.write(`${JSON.stringify(reply)}\n`);
  process.exitCode = reply.ok ? 0 : 1;
}

if (require.main === module) void main();
