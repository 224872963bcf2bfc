import { rename, rm, writeFile } from "node:fs/promises";
import { QUANTIZATION_METHODS, type QuantizationMethod } from "@distillery/domain";
import { NoiseSchedule, readNpz, samplerCalibrationFeeds } from "@distillery/eval";
import { type Feeds, type OutputError, inspectModel, quantize as quantizeModel, readModel } from "@distillery/onnx";
import * as ort from "onnxruntime-node";
import { readInputFile } from "./read-input-file";

/** Sampler trajectories run side by side while recording calibration inputs. */
const TRAJECTORY_BATCH = 16;

export interface QuantizeOptions {
  input: string;
  output: string;
  method: QuantizationMethod;
  /** "sampler" (the UNet's own DDIM trajectories) or an .npz of model inputs. */
  calibration: string;
  calibrationMethod: "minmax" | "percentile";
  percentile: number;
  samples: number;
  steps: number;
  seed: number;
  /** int8-static's activation type: int8 (S8S8) or uint8 (U8S8, fuses fully on CPUs without VNNI). */
  activations: "int8" | "uint8";
  /** "cosine:1000"; default: the file's `schedule` metadata, else cosine:1000. */
  schedule?: string;
  json: boolean;
}

/** Names users type for the methods (`int8` is the calibrated one). */
export const METHOD_NAMES: Readonly<Record<string, QuantizationMethod>> = {
  ...Object.fromEntries(QUANTIZATION_METHODS.map((method) => [method, method])),
  int8: "int8-static",
  "int8-qdq": "int8-static",
};

/**
 * `distillery quantize in.onnx --precision int8 -o out.onnx`: the quantizer the runners use, on
 * files, without a server. A UNet the trainer exported calibrates on its own DDIM trajectories
 * (its metadata names the architecture and schedule); any other model takes `--calibration
 * inputs.npz` (one array per model input, batch first). The error against fp32 is reported on
 * held-out inputs: trajectories from the next seed, or the last fifth of the npz. The output is
 * written under a temporary name and renamed, so a failed run leaves no file behind.
 */
export async function quantize(options: QuantizeOptions): Promise<number> {
  const bytes = await readInputFile(options.input);
  const inspection = inspectModel(readModel(bytes));
  const { calibration, heldOut } =
    options.calibration === "sampler" ? await trajectoryFeeds(options, inspection.metadata) : await npzFeeds(options.calibration);

  const started = Date.now();
  const result = await quantizeModel(bytes, {
    precision: options.method,
    heldOut,
    ...(options.method === "int8-static"
      ? { calibration: { method: options.calibrationMethod, percentile: options.percentile, feeds: calibration }, staticOptions: { activations: options.activations } }
      : {}),
  });
  const partial = `${options.output}.${process.pid}.part`;
  try {
    await writeFile(partial, result.bytes);
    await rename(partial, options.output);
  } finally {
    await rm(partial, { force: true });
  }
  const summary = {
    input: options.input,
    output: options.output,
    method: options.method,
    inputBytes: bytes.byteLength,
    outputBytes: result.bytes.byteLength,
    seconds: (Date.now() - started) / 1000,
    error: result.error ?? [],
    quantization: result.quantization,
  };
  if (options.json) {
    process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
  } else {
    process.stdout.write(
      [
        `wrote ${options.output}: ${options.method}, ${result.bytes.byteLength} bytes (${((100 * result.bytes.byteLength) / bytes.byteLength).toFixed(1)}% of ${bytes.byteLength}) in ${summary.seconds.toFixed(1)} s`,
        ...(result.error ?? []).map(describeError),
      ].join("\n") + "\n",
    );
  }
  return 0;
}

function describeError(error: OutputError): string {
  return `  ${error.output}: relative RMSE ${error.relativeRmse.toPrecision(3)}, max |error| ${error.maxAbs.toPrecision(3)}, mean |error| ${error.meanAbs.toPrecision(3)} (vs fp32, held out)`;
}

/** Calibration and held-out inputs from the UNet's own sampler (architecture and schedule from the file's metadata). */
async function trajectoryFeeds(options: QuantizeOptions, metadata: Record<string, string>): Promise<{ calibration: Feeds[]; heldOut: Feeds[] }> {
  const architecture = parseJson(metadata.unet_config, "unet_config") as Record<string, unknown> | undefined;
  if (!architecture || typeof architecture.resolution !== "number" || typeof architecture.in_channels !== "number" || typeof architecture.num_classes !== "number") {
    throw new Error(`${options.input} has no unet_config metadata (not a UNet the trainer exported): pass --calibration inputs.npz`);
  }
  const schedule = parseSchedule(options.schedule ?? scheduleOf(metadata));
  const shape = { channels: architecture.in_channels, resolution: architecture.resolution, classes: architecture.num_classes };
  const session = await ort.InferenceSession.create(options.input, { executionProviders: ["cpu"] });
  try {
    const noise = new NoiseSchedule(schedule);
    const record = (samples: number, seed: number) => samplerCalibrationFeeds(session, noise, { ...shape, samples, steps: options.steps, seed, batch: TRAJECTORY_BATCH });
    const calibration = options.method === "int8-static" ? await record(options.samples, options.seed) : [];
    const heldOut = await record(Math.max(1, Math.ceil(options.samples / 4)), options.seed + 1);
    return { calibration, heldOut };
  } finally {
    await session.release();
  }
}

/** `schedule` metadata (the trainer writes it since this issue), else the trainer's default. */
function scheduleOf(metadata: Record<string, string>): string {
  const schedule = parseJson(metadata.schedule, "schedule") as { kind?: unknown; steps?: unknown } | undefined;
  return schedule ? `${String(schedule.kind)}:${String(schedule.steps)}` : "cosine:1000";
}

export function parseSchedule(value: string): { kind: "cosine" | "linear"; steps: number } {
  const match = /^(cosine|linear):(\d+)$/.exec(value);
  if (!match || Number(match[2]) < 1) throw new Error(`a schedule is cosine:<steps> or linear:<steps>, not "${value}"`);
  return { kind: match[1] as "cosine" | "linear", steps: Number(match[2]) };
}

/** One array per model input, batch first; the last fifth is held out for the error report. */
async function npzFeeds(path: string): Promise<{ calibration: Feeds[]; heldOut: Feeds[] }> {
  const arrays = readNpz(await readInputFile(path));
  const names = Object.keys(arrays);
  if (names.length === 0) throw new Error(`${path} holds no arrays`);
  const count = arrays[names[0]!]!.shape[0] ?? 0;
  if (names.some((name) => arrays[name]!.shape[0] !== count) || count < 2) {
    throw new Error(`${path}: every array needs the same first (batch) dimension, at least 2`);
  }
  const tensorsOf = (from: number, to: number): Feeds =>
    Object.fromEntries(
      names.map((name) => {
        const array = arrays[name]!;
        const perItem = array.shape.slice(1).reduce((a, b) => a * b, 1);
        const slice = array.data.slice(from * perItem, to * perItem);
        const dims = [to - from, ...array.shape.slice(1)];
        const tensor = array.dtype === "int64" ? new ort.Tensor("int64", BigInt64Array.from(slice, (value) => BigInt(value)), dims) : new ort.Tensor("float32", Float32Array.from(slice), dims);
        return [name, tensor];
      }),
    );
  const split = Math.max(1, Math.floor(count * 0.8));
  const batches = (from: number, to: number): Feeds[] => {
    const feeds: Feeds[] = [];
    for (let start = from; start < to; start += TRAJECTORY_BATCH) feeds.push(tensorsOf(start, Math.min(to, start + TRAJECTORY_BATCH)));
    return feeds;
  };
  return { calibration: batches(0, split), heldOut: batches(split, count) };
}

function parseJson(value: string | undefined, what: string): unknown {
  if (value === undefined) return undefined;
  try {
    return JSON.parse(value);
  } catch {
    throw new Error(`the model's ${what} metadata is not JSON`);
  }
}
