/**
 * The fields of a model version the registry commands read, in one selection so `pull`,
 * `push` and `versions` print and lock the same record.
 */
export const VERSION_FIELDS = `
  ref version digest sizeBytes format precision params status metadata createdAt createdBy
  model { name role family }
  aliases { name }
  parents { relation recipe version { ref } }
`;

export type Precision = "FP32" | "FP16" | "INT8";
export type ModelFormat = "ONNX" | "TORCH";
export type ModelRole = "TEACHER" | "STUDENT" | "EXTRACTOR";
export type LineageRelation = "DISTILLED_FROM" | "EXPORTED_FROM" | "FINETUNED_FROM" | "QUANTIZED_FROM";

export const PRECISIONS: readonly Precision[] = ["FP32", "FP16", "INT8"];
export const FORMATS: readonly ModelFormat[] = ["ONNX", "TORCH"];
export const ROLES: readonly ModelRole[] = ["TEACHER", "STUDENT", "EXTRACTOR"];
export const RELATIONS: readonly LineageRelation[] = ["DISTILLED_FROM", "EXPORTED_FROM", "FINETUNED_FROM", "QUANTIZED_FROM"];

export interface ParentEdge {
  relation: LineageRelation;
  recipe: Record<string, unknown>;
  version: { ref: string };
}

export interface VersionRecord {
  /** name@v<N> */
  ref: string;
  version: number;
  /** sha256:<hex> */
  digest: string;
  sizeBytes: number;
  format: ModelFormat;
  precision: Precision;
  params: number | null;
  status: "PENDING" | "READY" | "FAILED" | "ARCHIVED";
  metadata: Record<string, unknown>;
  createdAt: string;
  createdBy: string;
  model: { name: string; role: ModelRole; family: string };
  aliases: { name: string }[];
  parents: ParentEdge[];
}

/** The hex part of a version's sha256:<hex> digest. */
export function hexOf(record: Pick<VersionRecord, "digest">): string {
  return record.digest.replace(/^sha256:/, "");
}
