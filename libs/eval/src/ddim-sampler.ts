// DDIM sampling (Song et al. 2021) of an exported UNet in onnxruntime-node: x_T ~ N(0, I), then at
// each timestep t -> t_prev of NoiseSchedule.ddimTimesteps:
//   x0    = (x_t - sqrt(1 - a_t) eps) / sqrt(a_t)                 (a = alpha_bar)
//   sigma = eta sqrt((1 - a_prev) / (1 - a_t)) sqrt(1 - a_t / a_prev)
//   x_prev = sqrt(a_prev) x0 + sqrt(1 - a_prev - sigma^2) eps + sigma z
// t_prev = -1 is clean data (a_prev = 1), so the last step returns x0. With eta = 0 and no
// clipping this is diffusion.py's ddim_sample step for step.
//
// clipSample (default true, as diffusers' DDIMScheduler) clamps x0 to the data range [-1, 1]
// before re-noising; eps is kept as predicted (diffusers' use_clipped_model_output = False). It
// matters for few-step sampling: with the cosine schedule a_999 ~ 5e-5, so x0 = (x - ...) /
// sqrt(a) multiplies any error in eps by ~140 and an unclipped first step lands far outside the
// data range, which the following few steps cannot pull back.
//
// The inputs are the trainer's export (libs/trainer/distillery_trainer/export.py): x float32
// [B, C, H, W], t int64 [B], class int64 [B] (class = num_classes is the unconditional class);
// output eps. Arithmetic is float64 per element, stored as float32 (the model's input type).
import { performance } from "node:perf_hooks";
import * as ort from "onnxruntime-node";
import type { NoiseSchedule } from "./noise-schedule";
import { Random } from "./random";

/** The model inputs of one sampler step, handed to onStep before the model runs. */
export interface DdimStepInput {
  /** x_t for this batch, [batch, C, H, W]; a fresh array per step, never written afterwards. */
  x: Float32Array;
  t: number;
  tPrev: number;
  classLabels: number[];
  batch: number;
}

export interface DdimSampleOptions {
  channels: number;
  resolution: number;
  /** One class label per image; the number of images is classLabels.length. */
  classLabels: number[];
  /** Sampler steps (1 .. schedule.steps). */
  steps: number;
  /** 0 (default): deterministic DDIM; 1: DDPM-like noise. */
  eta?: number;
  seed: number;
  /** Images per session.run. Results do not depend on it. */
  batch: number;
  /** Clamp the x0 prediction to [-1, 1] at every step; default true. */
  clipSample?: boolean;
  /** x_T for all images (N*C*H*W) instead of drawing it from the seed (parity tests). */
  initialNoise?: Float32Array;
  onStep?: (step: DdimStepInput) => void;
}

export interface DdimSampleResult {
  /** N*C*H*W, in [-1, 1]. */
  images: Float32Array;
  /** Time spent inside session.run, summed. */
  onnxRunMs: number;
  totalMs: number;
}

export const UNET_INPUTS = ["x", "t", "class"] as const;

function checkOptions(session: ort.InferenceSession, schedule: NoiseSchedule, options: DdimSampleOptions): void {
  const { channels, resolution, classLabels, batch } = options;
  for (const [name, value] of [["channels", channels], ["resolution", resolution], ["batch", batch]] as const) {
    if (!Number.isInteger(value) || value < 1) throw new Error(`ddim: ${name} must be a positive integer, got ${value}`);
  }
  if (classLabels.length === 0) throw new Error("ddim: classLabels is empty (one label per image)");
  for (const label of classLabels) if (!Number.isInteger(label) || label < 0) throw new Error(`ddim: class label ${label} is not a non-negative integer`);
  const eta = options.eta ?? 0;
  if (!(eta >= 0)) throw new Error(`ddim: eta must be >= 0, got ${eta}`);
  schedule.ddimTimesteps(options.steps); // validates steps
  const perImage = channels * resolution * resolution;
  if (options.initialNoise && options.initialNoise.length !== classLabels.length * perImage) {
    throw new Error(`ddim: initialNoise has ${options.initialNoise.length} values, expected ${classLabels.length * perImage}`);
  }
  const missing = UNET_INPUTS.filter((name) => !session.inputNames.includes(name));
  if (missing.length > 0 || !session.outputNames.includes("eps")) {
    throw new Error(`ddim: the model needs inputs x, t, class and output eps; it has inputs ${session.inputNames.join(", ")} and outputs ${session.outputNames.join(", ")}`);
  }
}

/** One step's coefficients, shared by every element. */
interface StepCoefficients {
  alphaT: number;
  sigmaT: number;
  alphaPrev: number;
  direction: number;
  noise: number;
}

function coefficients(schedule: NoiseSchedule, t: number, tPrev: number, eta: number): StepCoefficients {
  const a = schedule.alphaBar(t);
  const aPrev = schedule.alphaBar(tPrev);
  const noise = eta === 0 ? 0 : eta * Math.sqrt((1 - aPrev) / (1 - a)) * Math.sqrt(Math.max(0, 1 - a / aPrev));
  return {
    alphaT: Math.sqrt(a),
    sigmaT: Math.sqrt(1 - a),
    alphaPrev: Math.sqrt(aPrev),
    direction: Math.sqrt(Math.max(0, 1 - aPrev - noise * noise)),
    noise,
  };
}

export async function ddimSample(session: ort.InferenceSession, schedule: NoiseSchedule, options: DdimSampleOptions): Promise<DdimSampleResult> {
  const started = performance.now();
  checkOptions(session, schedule, options);
  const { channels, resolution, classLabels, batch, seed } = options;
  const eta = options.eta ?? 0;
  const clip = options.clipSample ?? true;
  const perImage = channels * resolution * resolution;
  const count = classLabels.length;
  const timesteps = schedule.ddimTimesteps(options.steps);
  const images = new Float32Array(count * perImage);
  let onnxRunMs = 0;

  for (let start = 0; start < count; start += batch) {
    const size = Math.min(batch, count - start);
    const labels = classLabels.slice(start, start + size);
    // One stream per image: x_T and the eta noise of image i are the same whatever the batching.
    const randoms = labels.map((_, i) => new Random(seed, start + i));
    let x = new Float32Array(size * perImage);
    if (options.initialNoise) x.set(options.initialNoise.subarray(start * perImage, (start + size) * perImage));
    else randoms.forEach((random, i) => random.fillNormal(x, i * perImage, perImage));
    const classTensor = new ort.Tensor("int64", BigInt64Array.from(labels, (label) => BigInt(label)), [size]);

    for (let s = 0; s < timesteps.length; s++) {
      const t = timesteps[s]!;
      const tPrev = timesteps[s + 1] ?? -1;
      options.onStep?.({ x, t, tPrev, classLabels: labels, batch: size });
      const runStarted = performance.now();
      const out = await session.run({
        x: new ort.Tensor("float32", x, [size, channels, resolution, resolution]),
        t: new ort.Tensor("int64", new BigInt64Array(size).fill(BigInt(t)), [size]),
        class: classTensor,
      });
      onnxRunMs += performance.now() - runStarted;
      const eps = out["eps"]?.data;
      if (!(eps instanceof Float32Array) || eps.length !== x.length) throw new Error("ddim: the model's eps output is not float32 shaped like x");

      const c = coefficients(schedule, t, tPrev, eta);
      const next = new Float32Array(x.length);
      for (let i = 0; i < size; i++) {
        const random = randoms[i]!;
        for (let j = i * perImage, end = j + perImage; j < end; j++) {
          const e = eps[j]!;
          let x0 = (x[j]! - c.sigmaT * e) / c.alphaT;
          if (clip) x0 = x0 < -1 ? -1 : x0 > 1 ? 1 : x0;
          let value = c.alphaPrev * x0 + c.direction * e;
          if (c.noise !== 0) value += c.noise * random.normal();
          next[j] = value;
        }
      }
      x = next;
    }
    // The last step lands on x0 (clipped already when clipSample); images are [-1, 1] either way.
    for (let j = 0; j < x.length; j++) images[start * perImage + j] = Math.min(1, Math.max(-1, x[j]!));
  }
  return { images, onnxRunMs, totalMs: performance.now() - started };
}

export type Feeds = Record<string, ort.Tensor>;

export interface CalibrationOptions {
  channels: number;
  resolution: number;
  /** The model's num_classes; calibration images cycle through classes 0 .. classes - 1. */
  classes: number;
  /** Images to sample. */
  samples: number;
  /** Sampler steps, e.g. 50: every one of them contributes inputs. */
  steps: number;
  seed: number;
  /** Images per feed (and per session.run while sampling). */
  batch: number;
}

/**
 * Time-step-aware calibration data (Q-Diffusion, Li et al. 2023): activation ranges of a diffusion
 * UNet drift with t, so calibrating on one timestep (or on training images) misfits the others.
 * Runs the fp32 model's own DDIM sampler (eta 0, clipSample on, as generation runs it) for
 * `samples` images with classes cycling over 0 .. classes-1 and keeps the model inputs (x_t, t,
 * class) of EVERY step, batched by `batch`: ceil(samples / batch) * steps feeds, covering all
 * sampled timesteps and all classes. Each feed is {x, t, class}, ready for session.run.
 */
export async function samplerCalibrationFeeds(session: ort.InferenceSession, schedule: NoiseSchedule, options: CalibrationOptions): Promise<Feeds[]> {
  const { channels, resolution, classes, samples } = options;
  if (!Number.isInteger(classes) || classes < 1) throw new Error(`calibration: classes must be a positive integer, got ${classes}`);
  if (!Number.isInteger(samples) || samples < 1) throw new Error(`calibration: samples must be a positive integer, got ${samples}`);
  const feeds: Feeds[] = [];
  await ddimSample(session, schedule, {
    channels,
    resolution,
    classLabels: Array.from({ length: samples }, (_, i) => i % classes),
    steps: options.steps,
    eta: 0,
    seed: options.seed,
    batch: options.batch,
    onStep: ({ x, t, classLabels, batch }) => {
      feeds.push({
        x: new ort.Tensor("float32", x, [batch, channels, resolution, resolution]),
        t: new ort.Tensor("int64", new BigInt64Array(batch).fill(BigInt(t)), [batch]),
        class: new ort.Tensor("int64", BigInt64Array.from(classLabels, (label) => BigInt(label)), [batch]),
      });
    },
  });
  return feeds;
}
