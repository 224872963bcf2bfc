// Latency and peak memory of one full generation (all sampler steps for one batch) of an ONNX
// UNet, measured in a fresh child process per model (generation-worker.ts): peak RSS is a
// per-process high-water mark, so a model measured after another would inherit its peak. The
// worker turns onnxruntime's CPU arena and memory-pattern planner off so RSS follows what the
// model needs rather than what an arena once reserved.
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { NoiseScheduleSpec } from "./noise-schedule";

export interface GenerationBenchmarkOptions {
  channels: number;
  resolution: number;
  /** The model's num_classes: the batch's labels cycle through 0 .. classes - 1. */
  classes: number;
  schedule: NoiseScheduleSpec;
  /** Sampler steps of one generation. */
  steps: number;
  /** Images per generation (one session.run per step). */
  batch: number;
  /** onnxruntime intra-op threads (inter-op 1, sequential execution). */
  threads: number;
  /** Untimed generations first. */
  warmupRuns: number;
  /** Timed generations. */
  runs: number;
  seed: number;
  /** DDIM eta; default 0. */
  eta?: number;
  /** Kill the worker after this long; default 10 minutes. */
  timeoutMs?: number;
}

export interface GenerationBenchmarkResult {
  latencyP50Ms: number;
  latencyP95Ms: number;
  meanMs: number;
  /** Images per second at the median latency: batch / p50. */
  throughput: number;
  /** The worker's peak resident set (getrusage maxrss). */
  peakRssBytes: number;
  /** The worker's RSS before the session was created (onnxruntime loaded, no model). */
  baselineRssBytes: number;
  /** session.run time summed over one generation (median over the timed runs). */
  onnxRunMs: number;
  runs: number;
}

export type GenerationBenchmarkErrorCode =
  | "INVALID_OPTIONS"
  | "MODEL_NOT_FOUND"
  | "MODEL_LOAD_FAILED"
  | "GENERATION_FAILED"
  | "WORKER_MISSING"
  | "WORKER_FAILED"
  | "WORKER_TIMEOUT";

export class GenerationBenchmarkError extends Error {
  override readonly name = "GenerationBenchmarkError";
  constructor(
    readonly code: GenerationBenchmarkErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/** What the worker prints as its last stdout line. */
export type GenerationWorkerReply =
  | { ok: true; result: GenerationBenchmarkResult }
  | { ok: false; code: GenerationBenchmarkErrorCode; message: string };

const DEFAULT_TIMEOUT_MS = 10 * 60_000;

/**
 * The compiled worker. Resolved through dist/ from both src/ (Vitest) and dist/ (built code): it
 * must be plain JavaScript run by node, so `npm run build` (turbo's test task builds first).
 */
export function generationWorkerPath(): string {
  return path.resolve(__dirname, "..", "dist", "generation-worker.js");
}

/** The CPU, for protocol keys: results are only comparable on the same class of hardware. */
export function hardwareClass(): string {
  const model = os.cpus()[0]?.model.replace(/\s+/g, " ").trim();
  return `cpu:${model || os.arch()}`;
}

export function validateGenerationOptions(options: GenerationBenchmarkOptions): void {
  const positive = ["channels", "resolution", "classes", "steps", "batch", "threads", "runs"] as const;
  for (const key of positive) {
    const value = options[key];
    if (!Number.isInteger(value) || value < 1) throw new GenerationBenchmarkError("INVALID_OPTIONS", `${key} must be a positive integer, got ${String(value)}`);
  }
  if (!Number.isInteger(options.warmupRuns) || options.warmupRuns < 0) {
    throw new GenerationBenchmarkError("INVALID_OPTIONS", `warmupRuns must be a non-negative integer, got ${String(options.warmupRuns)}`);
  }
  if (!Number.isSafeInteger(options.seed)) throw new GenerationBenchmarkError("INVALID_OPTIONS", `seed must be a safe integer, got ${String(options.seed)}`);
  const { kind, steps } = options.schedule ?? {};
  if ((kind !== "cosine" && kind !== "linear") || !Number.isInteger(steps) || steps < options.steps) {
    throw new GenerationBenchmarkError("INVALID_OPTIONS", `schedule must be {kind: "cosine" | "linear", steps >= ${options.steps}}, got ${JSON.stringify(options.schedule)}`);
  }
}

/** Runs the benchmark in a fresh `node generation-worker.js` and returns its figures. */
export async function benchmarkGeneration(modelPath: string, options: GenerationBenchmarkOptions): Promise<GenerationBenchmarkResult> {
  validateGenerationOptions(options);
  const worker = generationWorkerPath();
  if (!existsSync(worker)) {
    throw new GenerationBenchmarkError("WORKER_MISSING", `${worker} does not exist: build @distillery/eval first (npm run build)`);
  }
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const child = spawn(process.execPath, [worker, JSON.stringify({ modelPath: path.resolve(modelPath), options })], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr = (stderr + chunk).slice(-4000)));
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    child.kill("SIGKILL");
  }, timeoutMs);
  const exit = await new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (code, signal) => resolve({ code, signal }));
  }).finally(() => clearTimeout(timer));
  if (timedOut) throw new GenerationBenchmarkError("WORKER_TIMEOUT", `the generation benchmark of ${modelPath} took longer than ${timeoutMs} ms`);
  const last = stdout.trim().split("\n").pop() ?? "";
  let reply: GenerationWorkerReply | undefined;
  try {
    reply = JSON.parse(last) as GenerationWorkerReply;
  } catch {
    reply = undefined;
  }
  if (!reply || typeof reply.ok !== "boolean") {
    const how = exit.signal ? `signal ${exit.signal}` : `exit code ${String(exit.code)}`;
    throw new GenerationBenchmarkError("WORKER_FAILED", `the generation worker ended (${how}) without a result: ${stderr.trim() || "(no stderr)"}`);
  }
  if (!reply.ok) throw new GenerationBenchmarkError(reply.code, reply.message);
  return reply.result;
}
