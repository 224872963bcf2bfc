import { z } from "zod";
import { DomainError } from "./errors";
import { evaluateSectionSchema, evaluateSpecSchema, quantizeSectionSchema, quantizeSpecSchema } from "./evaluation-specs";
import { datasetRef, device, ref, slug, timeoutSeconds } from "./spec-fields";

export enum ExperimentKind {
  COMMAND = "COMMAND",
  PRETRAIN = "PRETRAIN",
  DISTILL = "DISTILL",
  EXTRACTOR = "EXTRACTOR",
  QUANTIZE = "QUANTIZE",
  EVALUATE = "EVALUATE",
}

/** `command`: run argv (no shell) and read the JSON-lines protocol from its stdout. */
export const commandSpecSchema = z
  .object({
    argv: z.array(z.string().min(1)).min(1).max(1000),
    env: z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, "environment variable names are letters, digits and _"), z.string()).default({}),
    timeoutSeconds: z.number().int().positive().max(7 * 24 * 3600).default(3600),
  })
  .strict();
export type CommandSpec = z.infer<typeof commandSpecSchema>;


/**
 * Where training data comes from; the trainer reads the same objects (datasets.py). A `platform`
 * source is a registered dataset: the runner resolves its ref and hands the trainer the blob as an
 * `npz` source ({ source: "npz", path, ref }).
 */
export const datasetSourceSchema = z.discriminatedUnion("source", [
  z
    .object({
      source: z.literal("synthetic"),
      samples: z.number().int().min(8).max(200_000).default(512),
      resolution: z.number().int().min(8).max(256).default(16),
      classes: z.number().int().min(1).max(1000).default(4),
      seed: z.number().int().min(0).default(0),
    })
    .strict(),
  z
    .object({
      source: z.literal("fashion-mnist"),
      split: z.enum(["train", "test"]).default("train"),
      resolution: z.number().int().min(8).max(256).default(16),
      limit: z.number().int().positive().optional(),
    })
    .strict(),
  z.object({ source: z.literal("platform"), ref: datasetRef }).strict(),
]);
export type DatasetSource = z.infer<typeof datasetSourceSchema>;

/** A class-conditional UNet like Stable Diffusion's (libs/trainer unet.py), sized by JSON. */
export const unetModelSchema = z
  .object({
    channels: z.array(z.number().int().min(4).max(1024)).min(1).max(6).default([32, 64]),
    layersPerBlock: z.number().int().min(1).max(4).default(1),
    attentionStages: z.array(z.number().int().min(0).max(5)).default([1]),
    groups: z.number().int().min(1).max(64).default(8),
    heads: z.number().int().min(1).max(32).default(4),
  })
  .strict()
  .refine((model) => model.attentionStages.every((stage) => stage < model.channels.length), "attentionStages must name existing stages")
  .refine((model) => model.channels.every((channels) => channels % model.groups === 0), "every channel count must be a multiple of groups");

/** How a UNet is trained (pretrain, and each round of distill): the trainer's training.py. */
export const trainingSchema = z
  .object({
    steps: z.number().int().min(1).max(10_000_000).default(200),
    batchSize: z.number().int().min(1).max(4096).default(32),
    lr: z.number().positive().max(1).default(2e-4),
    weightDecay: z.number().min(0).max(1).default(0),
    warmupSteps: z.number().int().min(0).default(20),
    gradClip: z.number().positive().default(1),
    emaDecay: z.number().min(0).max(1).default(0.999),
    seed: z.number().int().min(0).default(0),
    checkpointEvery: z.number().int().min(1).default(50),
  })
  .strict();


/** `pretrain`: DDPM training of a teacher, registered as TORCH and ONNX versions of `output.model`. */
export const pretrainSpecSchema = z
  .object({
    dataset: datasetSourceSchema,
    model: unetModelSchema.default({ channels: [32, 64], layersPerBlock: 1, attentionStages: [1], groups: 8, heads: 4 }),
    schedule: z.object({ kind: z.enum(["cosine", "linear"]).default("cosine"), steps: z.number().int().min(10).max(10_000).default(1000) }).strict().default({ kind: "cosine", steps: 1000 }),
    training: trainingSchema.prefault({}),
    output: z.object({ model: slug, family: z.string().max(200).default("unet") }).strict(),
    device,
    timeoutSeconds,
  })
  .strict();
export type PretrainSpec = z.infer<typeof pretrainSpecSchema>;


/** How much a loss term counts; 0 switches it off. */
const weight = z.number().min(0).max(1e6);

/** BK-SDM-style: the teacher's architecture, with blocks removed and channels narrowed (students.py). */
const deriveStudentSchema = z
  .object({
    removeLayers: z.number().int().min(0).max(3).default(0),
    channelScale: z.number().gt(0).max(1).default(1),
    dropMid: z.boolean().default(false),
  })
  .strict();

/** Exactly one of `derive` (from the teacher's architecture) or `model` (an architecture of its own). */
const studentSchema = z
  .object({ derive: deriveStudentSchema.optional(), model: unetModelSchema.optional() })
  .strict()
  .refine((student) => (student.derive === undefined) !== (student.model === undefined), "exactly one of derive or model");

/** Each round halves the sampling steps (Salimans & Ho): positive, strictly decreasing, even or 1. */
const progressiveSchema = z
  .object({ rounds: z.array(z.number().int().min(1).max(10_000)).min(1).max(16).default(() => [16, 8, 4]) })
  .strict()
  .superRefine((progressive, context) => {
    progressive.rounds.forEach((steps, index) => {
      if (steps !== 1 && steps % 2 !== 0) {
        context.addIssue({ code: "custom", path: ["rounds", index], message: `${steps} sampling steps cannot be halved: use an even count or 1` });
      }
      const previous = progressive.rounds[index - 1];
      if (previous !== undefined && steps >= previous) {
        context.addIssue({ code: "custom", path: ["rounds", index], message: `rounds must be strictly decreasing (${steps} after ${previous})` });
      }
    });
  });

/** The distillation losses (libs/trainer losses/); the components present combine by weight. */
export const distillStrategySchema = z
  .object({
    output: z
      .object({
        weight: weight.default(1),
        /** 1: the plain DDPM loss on the data; 0: the teacher's prediction alone. */
        alpha: z.number().min(0).max(1).default(0.5),
        kl: z
          .object({
            weight: weight.default(0.1),
            temperature: z
              .object({
                initial: z.number().positive().max(1000).default(4),
                final: z.number().positive().max(1000).default(1),
                schedule: z.enum(["linear", "cosine"]).default("linear"),
              })
              .strict()
              .prefault({}),
          })
          .strict()
          .optional(),
      })
      .strict()
      .optional(),
    feature: z
      .object({
        weight: weight.default(1),
        /** [teacherBlock, studentBlock]; default: every block name both have ("down.0", "mid", "up.0", …). */
        pairs: z.array(z.tuple([z.string().min(1).max(100), z.string().min(1).max(100)])).min(1).max(64).optional(),
        /** Per pair; default 1.0, 0.8, 0.6, 0.4, … */
        layerWeights: z.array(weight).min(1).max(64).optional(),
        multiScale: z.boolean().default(false),
      })
      .strict()
      .optional(),
    /** Weights the output and feature terms per sample by how reliable the teacher is on it. */
    knowledgeConsistency: z.object({ threshold: z.number().positive().max(1e6).default(0.05) }).strict().optional(),
    progressive: progressiveSchema.optional(),
    adversarial: z
      .object({ weight: weight.default(0.05), discriminatorLr: z.number().positive().max(1).default(2e-4) })
      .strict()
      .optional(),
  })
  .strict()
  .refine(
    (strategy) => Object.values(strategy).some((component) => component !== undefined),
    "needs at least one component: output, feature, knowledgeConsistency, progressive or adversarial",
  );
export type DistillStrategy = z.infer<typeof distillStrategySchema>;

/**
 * `distill`: a student UNet trained from a TORCH teacher version; registered as TORCH (DISTILLED_FROM
 * the teacher, with the recipe) and ONNX versions of `output.model`. The runner resolves `teacher`
 * and hands the trainer its file (spec.json's `resolved.teacher`).
 */
export const distillSpecSchema = z
  .object({
    teacher: ref,
    dataset: datasetSourceSchema,
    student: studentSchema,
    strategy: distillStrategySchema,
    /** Per progressive round when strategy.progressive is set. */
    training: trainingSchema.prefault({}),
    output: z.object({ model: slug, family: z.string().max(200).default("unet") }).strict(),
    /** Variants of the trained student's ONNX export, made in the same job. */
    quantize: quantizeSectionSchema.optional(),
    /** The student, its variants and the teacher's ONNX export scored on one protocol, in the same job. */
    evaluate: evaluateSectionSchema.optional(),
    device,
    timeoutSeconds,
  })
  .strict();
export type DistillSpec = z.infer<typeof distillSpecSchema>;

/**
 * The held-out data an extractor is scored on when the spec names none: fashion-mnist's other
 * split ("test" for the usual "train"), or the same synthetic patterns drawn with the next seed.
 * The trainer's default_test_dataset (commands/extractor.py) is the same. A platform dataset has
 * no other split to derive: the spec must name its testDataset (null here).
 */
function heldOutDataset(dataset: DatasetSource): DatasetSource | null {
  if (dataset.source === "fashion-mnist") return { ...dataset, split: dataset.split === "test" ? "train" : "test" };
  if (dataset.source === "synthetic") return { ...dataset, seed: dataset.seed + 1 };
  return null;
}

/**
 * `extractor`: a small CNN classifier whose penultimate layer is the feature extractor for FID-style
 * metrics; registered as an ONNX EXTRACTOR version of `output.model`, with the reference statistics
 * (a blob) named in its metadata.
 */
export const extractorSpecSchema = z
  .object({
    dataset: datasetSourceSchema,
    /** Default: the same source's other split (fashion-mnist), or the next seed (synthetic). */
    testDataset: datasetSourceSchema.optional(),
    model: z
      .object({
        channels: z.array(z.number().int().min(1).max(1024)).min(1).max(4).default(() => [32, 64]),
        featureDim: z.number().int().min(1).max(4096).default(128),
      })
      .strict()
      .prefault({}),
    training: z
      .object({
        steps: z.number().int().min(1).max(10_000_000).default(300),
        batchSize: z.number().int().min(1).max(4096).default(64),
        lr: z.number().positive().max(1).default(1e-3),
        seed: z.number().int().min(0).default(0),
      })
      .strict()
      .prefault({}),
    /** Images the reference statistics are computed over. */
    referenceSamples: z.number().int().min(2).max(1_000_000).default(2000),
    output: z.object({ model: slug, family: z.string().max(200).default("cnn-extractor") }).strict(),
    device,
    timeoutSeconds,
  })
  .strict()
  .superRefine((spec, context) => {
    if (spec.testDataset === undefined && heldOutDataset(spec.dataset) === null) {
      context.addIssue({
        code: "custom",
        path: ["testDataset"],
        message: `required with a ${spec.dataset.source} dataset: there is no held-out split to derive from it`,
      });
    }
  })
  // After a failed refinement the transform does not run, so the held-out dataset is there.
  .transform(({ dataset, testDataset, ...rest }) => ({ dataset, testDataset: testDataset ?? heldOutDataset(dataset)!, ...rest }));
export type ExtractorSpec = z.infer<typeof extractorSpecSchema>;

interface KindDefinition {
  schema: z.ZodType<Record<string, unknown>>;
  /** What a runner must offer to take a job of this kind (runner capabilities), given its spec. */
  capabilities: (spec: Record<string, unknown>) => readonly string[];
}

const specSchema = (schema: z.ZodType) => schema as unknown as z.ZodType<Record<string, unknown>>;
const always = (...capabilities: string[]) => () => capabilities;

const kinds: Record<ExperimentKind, KindDefinition> = {
  [ExperimentKind.COMMAND]: { schema: commandSpecSchema, capabilities: always("command") },
  [ExperimentKind.PRETRAIN]: { schema: specSchema(pretrainSpecSchema), capabilities: always("torch") },
  // Quantizing or evaluating in the same job also needs onnxruntime on the runner.
  [ExperimentKind.DISTILL]: {
    schema: specSchema(distillSpecSchema),
    capabilities: (spec) => (spec.quantize !== undefined || spec.evaluate !== undefined ? ["torch", "onnx"] : ["torch"]),
  },
  [ExperimentKind.EXTRACTOR]: { schema: specSchema(extractorSpecSchema), capabilities: always("torch") },
  [ExperimentKind.QUANTIZE]: { schema: specSchema(quantizeSpecSchema), capabilities: always("onnx") },
  [ExperimentKind.EVALUATE]: { schema: specSchema(evaluateSpecSchema), capabilities: always("onnx") },
};

/** Validates and normalises (fills defaults) a spec, or throws INVALID_SPEC naming every problem. */
export function validateExperimentSpec(kind: ExperimentKind, spec: unknown): Record<string, unknown> {
  const parsed = kinds[kind].schema.safeParse(spec);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join(".") || "spec"}: ${issue.message}`);
    throw new DomainError("INVALID_SPEC", `Invalid ${kind.toLowerCase()} spec: ${problems.join("; ")}`, { kind, problems });
  }
  return parsed.data;
}

/** The capabilities a job of this kind needs; `spec` as validated (a kind's sections may add some). */
export function requiredCapabilities(kind: ExperimentKind, spec: Record<string, unknown> = {}): readonly string[] {
  return kinds[kind].capabilities(spec);
}
