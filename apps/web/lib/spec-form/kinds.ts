// Each experiment kind's zod schema (libs/domain): the form is generated from it, and what is
// submitted is validated with it before anything is created.
import {
  commandSpecSchema,
  distillSpecSchema,
  evaluateSpecSchema,
  ExperimentKind,
  extractorSpecSchema,
  pretrainSpecSchema,
  quantizeSpecSchema,
} from "@distillery/domain";
import { type Field, fieldsFromSchema, type JsonSchema } from "./fields";
import type { PathIssue } from "./form-data";

export const KINDS = Object.values(ExperimentKind) as ExperimentKind[];

interface SpecSchema {
  toJSONSchema(params: { io: "input" }): unknown;
  safeParse(value: unknown): { success: true; data: unknown } | { success: false; error: { issues: ZodIssue[] } };
}

interface ZodIssue {
  path: PropertyKey[];
  message: string;
  code?: string;
  issues?: ZodIssue[];
}

const SCHEMAS: Record<ExperimentKind, SpecSchema> = {
  [ExperimentKind.COMMAND]: commandSpecSchema,
  [ExperimentKind.PRETRAIN]: pretrainSpecSchema,
  [ExperimentKind.DISTILL]: distillSpecSchema,
  [ExperimentKind.EXTRACTOR]: extractorSpecSchema,
  [ExperimentKind.QUANTIZE]: quantizeSpecSchema,
  [ExperimentKind.EVALUATE]: evaluateSpecSchema,
};

export function parseKind(value: unknown): ExperimentKind | null {
  if (typeof value !== "string") return null;
  return KINDS.find((kind) => kind === value.toUpperCase()) ?? null;
}

const fieldCache = new Map<ExperimentKind, Field[]>();

/** The kind's generated fields, named spec.… */
export function specFields(kind: ExperimentKind): Field[] {
  let fields = fieldCache.get(kind);
  if (!fields) {
    fields = fieldsFromSchema(SCHEMAS[kind].toJSONSchema({ io: "input" }) as JsonSchema);
    fieldCache.set(kind, fields);
  }
  return fields;
}

/**
 * A record's bad key or an array's bad element: zod's own message ("Invalid key in record") says
 * less than the schema's message for the key, which it nests.
 */
function messageOf(issue: ZodIssue): string {
  const nested = issue.issues?.map((inner) => inner.message).filter((message) => message !== "");
  return nested && nested.length > 0 && (issue.code === "invalid_key" || issue.code === "invalid_element") ? nested.join("; ") : issue.message;
}

/** The kind's schema on a spec: no issues when it is valid. */
export function specIssues(kind: ExperimentKind, spec: unknown): PathIssue[] {
  const parsed = SCHEMAS[kind].safeParse(spec);
  if (parsed.success) return [];
  return parsed.error.issues.map((issue) => ({ path: issue.path, message: messageOf(issue) }));
}
