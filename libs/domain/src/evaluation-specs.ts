// What a QUANTIZE or EVALUATE experiment asks for, and the `quantize` / `evaluate` sections a
// DISTILL spec may carry (the runner then trains, exports, quantizes and evaluates in one job).
import { z } from "zod";
import { Precision } from "./enums";
import { ref, timeoutSeconds } from "./spec-fields";

/** The variants a quantizer makes (libs/onnx): fp16, int8 with run-time activation scales, int8 QDQ calibrated offline. */
export const QUANTIZATION_METHODS = ["fp16", "int8-dynamic", "int8-static"] as const;
export type QuantizationMethod = (typeof QUANTIZATION_METHODS)[number];

/** The registry precision of each variant. */
export const QUANTIZATION_PRECISION: Readonly<Record<QuantizationMethod, Precision>> = {
  fp16: Precision.FP16,
  "int8-dynamic": Precision.INT8,
  "int8-static": Precision.INT8,
};

/**
 * Activation ranges for int8-static. Diffusion activations change with the timestep, so the
 * calibration inputs are the fp32 model's own DDIM trajectories (Q-Diffusion's time-step-aware
 * calibration): `samples` images, classes cycling, every one of `steps` steps recorded — the set
 * covers all timesteps and classes without a dataset.
 */
export const calibrationSchema = z
  .object({
    method: z.enum(["minmax", "percentile"]).default("percentile"),
    /** Of |x| per tensor; ignored by minmax. */
    percentile: z.number().gt(90).max(100).default(99.99),
    samples: z.number().int().min(1).max(4096).default(32),
    steps: z.number().int().min(1).max(1000).default(50),
    seed: z.number().int().min(0).default(0),
    /**
     * int8 (S8S8, the default) or uint8 (U8S8: the same grid shifted by 128, the same error).
     * onnxruntime on x86 CPUs without VNNI fuses int8 QDQ only where a tensor has one reader;
     * uint8 fuses every Conv/MatMul there, which is faster.
     */
    activations: z.enum(["int8", "uint8"]).default("int8"),
  })
  .strict();
export type CalibrationSpec = z.infer<typeof calibrationSchema>;

/** The quantize section of a DISTILL spec: which variants of the trained student to make. */
export const quantizeSectionSchema = z
  .object({
    methods: z
      .array(z.enum(QUANTIZATION_METHODS))
      .min(1)
      .max(QUANTIZATION_METHODS.length)
      .default(() => [...QUANTIZATION_METHODS])
      .refine((methods) => new Set(methods).size === methods.length, "each method at most once"),
    calibration: calibrationSchema.prefault({}),
    /** Inputs (from a separate seed's trajectories) the output error against fp32 is reported on. */
    heldOutSamples: z.number().int().min(1).max(1024).default(8),
  })
  .strict();
export type QuantizeSection = z.infer<typeof quantizeSectionSchema>;

/**
 * `quantize`: fp16 / int8 variants of an ONNX UNet version, each registered as a version of the
 * same model, QUANTIZED_FROM the source, with what was done and its error in the metadata.
 */
export const quantizeSpecSchema = quantizeSectionSchema.extend({ source: ref, timeoutSeconds }).strict();
export type QuantizeSpec = z.infer<typeof quantizeSpecSchema>;

/**
 * The benchmark protocol. Everything here (with the extractor's reference statistics, the
 * models' resolution and the runner's hardware) makes the protocol key: only results that share
 * it are ranked together.
 */
export const evaluationProtocolSchema = z
  .object({
    /** An EXTRACTOR version; its metadata names the reference statistics (and their dataset). */
    extractor: ref,
    /** Generated images FID is computed over (>= 2000 for comparisons: fewer are noisy). */
    samples: z.number().int().min(2).max(200_000).default(2000),
    sampler: z
      .object({
        kind: z.literal("ddim").default("ddim"),
        steps: z.number().int().min(1).max(1000).default(20),
        eta: z.number().min(0).max(1).default(0),
      })
      .strict()
      .prefault({}),
    /** Images per generation, for FID sampling and for the latency benchmark. */
    batch: z.number().int().min(1).max(1024).default(16),
    /** onnxruntime intra-op threads. */
    threads: z.number().int().min(1).max(256).default(2),
    latency: z
      .object({ warmupRuns: z.number().int().min(0).max(100).default(1), runs: z.number().int().min(1).max(1000).default(5) })
      .strict()
      .prefault({}),
    seed: z.number().int().min(0).default(0),
  })
  .strict();
export type EvaluationProtocolSpec = z.infer<typeof evaluationProtocolSchema>;

/** The evaluate section of a DISTILL spec: the student, its variants and (by default) the teacher, on one protocol. */
export const evaluateSectionSchema = z
  .object({ protocol: evaluationProtocolSchema, includeTeacher: z.boolean().default(true) })
  .strict();
export type EvaluateSection = z.infer<typeof evaluateSectionSchema>;

/** `evaluate`: ONNX UNet versions scored on one protocol; each result is posted as an evaluation. */
export const evaluateSpecSchema = z
  .object({ models: z.array(ref).min(1).max(100), protocol: evaluationProtocolSchema, timeoutSeconds })
  .strict()
  .refine((spec) => new Set(spec.models).size === spec.models.length, { message: "each model at most once", path: ["models"] });
export type EvaluateSpec = z.infer<typeof evaluateSpecSchema>;

/** What one evaluation measured of one model version (postEvaluation, a leaderboard row). */
export interface EvaluationMeasurements {
  fid: number;
  /** One full generation (every sampler step) of a batch. */
  latencyP50Ms: number;
  latencyP95Ms: number;
  /** Images per second at p50. */
  throughput: number;
  /** The evaluating process's peak RSS. */
  peakMemoryBytes: number;
  params: number;
}

/**
 * The settings a result is keyed and ranked by: the runner sends them with each evaluation and the
 * API derives the protocol key from them (the extractor as the version its ref resolves to).
 */
export interface EvaluationProtocolFields {
  /** What the reference statistics were computed over: a dataset ref, or a source as canonical JSON. */
  dataset: string;
  /** The extractor's version ref. */
  extractor: string;
  /** sha256:<hex> of the reference statistics. */
  referenceStats: string;
  samples: number;
  sampler: string;
  steps: number;
  eta: number;
  resolution: number;
  batch: number;
  threads: number;
  /** The runner's hardware class, e.g. "cpu:AMD EPYC". */
  hardware: string;
}
