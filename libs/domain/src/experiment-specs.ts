import { z } from "zod";
import { DomainError } from "./errors";

export enum ExperimentKind {
  COMMAND = "COMMAND",
  PRETRAIN = "PRETRAIN",
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

const slug = z.string().regex(/^[a-z0-9][a-z0-9._-]{0,99}$/, "a lower-case name: a-z, 0-9, '.', '_', '-'");

/** Where training data comes from; the trainer reads the same objects (datasets.py). */
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
]);

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

/** `pretrain`: DDPM training of a teacher, registered as TORCH and ONNX versions of `output.model`. */
export const pretrainSpecSchema = z
  .object({
    dataset: datasetSourceSchema,
    model: unetModelSchema.default({ channels: [32, 64], layersPerBlock: 1, attentionStages: [1], groups: 8, heads: 4 }),
    schedule: z.object({ kind: z.enum(["cosine", "linear"]).default("cosine"), steps: z.number().int().min(10).max(10_000).default(1000) }).strict().default({ kind: "cosine", steps: 1000 }),
    training: z
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
      .strict()
      .default({ steps: 200, batchSize: 32, lr: 2e-4, weightDecay: 0, warmupSteps: 20, gradClip: 1, emaDecay: 0.999, seed: 0, checkpointEvery: 50 }),
    output: z.object({ model: slug, family: z.string().max(200).default("unet") }).strict(),
    device: z.enum(["cpu", "cuda", "any"]).default("any"),
    timeoutSeconds: z.number().int().positive().max(7 * 24 * 3600).default(24 * 3600),
  })
  .strict();
export type PretrainSpec = z.infer<typeof pretrainSpecSchema>;

interface KindDefinition {
  schema: z.ZodType<Record<string, unknown>>;
  /** What a runner must offer to take a job of this kind (runner capabilities). */
  capabilities: readonly string[];
}

/** One entry per kind; later issues add extractor, distill, quantize, evaluate. */
const kinds: Record<ExperimentKind, KindDefinition> = {
  [ExperimentKind.COMMAND]: { schema: commandSpecSchema, capabilities: ["command"] },
  [ExperimentKind.PRETRAIN]: { schema: pretrainSpecSchema as unknown as z.ZodType<Record<string, unknown>>, capabilities: ["torch"] },
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

export function requiredCapabilities(kind: ExperimentKind): readonly string[] {
  return kinds[kind].capabilities;
}
