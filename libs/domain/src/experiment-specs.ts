import { z } from "zod";
import { DomainError } from "./errors";

export enum ExperimentKind {
  COMMAND = "COMMAND",
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

interface KindDefinition {
  schema: z.ZodType<Record<string, unknown>>;
  /** What a runner must offer to take a job of this kind (runner capabilities). */
  capabilities: readonly string[];
}

/** One entry per kind; later issues add pretrain, distill, quantize, evaluate, extractor. */
const kinds: Record<ExperimentKind, KindDefinition> = {
  [ExperimentKind.COMMAND]: { schema: commandSpecSchema, capabilities: ["command"] },
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
