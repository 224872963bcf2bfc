import type { ParentEdge, VersionRecord } from "./version-record";

/** The two ways an INT8 variant is made; `--method` picks one when a version has both. */
export const INT8_METHODS = ["int8-dynamic", "int8-static"] as const;
export type Int8Method = (typeof INT8_METHODS)[number];

/**
 * How an INT8 version was quantized. The runner writes it on the QUANTIZED_FROM edge's recipe
 * (`method`) and in the version's metadata (`quantization.precision`, the quantizer's own record);
 * a version pushed by hand may carry `quantization.method`. Absent when none of them says.
 */
export function quantizationMethodOf(version: Pick<VersionRecord, "metadata">, edge?: Pick<ParentEdge, "recipe">): Int8Method | undefined {
  const quantization = version.metadata.quantization as Record<string, unknown> | undefined;
  const candidates = [edge?.recipe.method, quantization?.method, quantization?.precision];
  return candidates.find((value): value is Int8Method => (INT8_METHODS as readonly unknown[]).includes(value));
}

/** The method of a version from its own QUANTIZED_FROM edge, else its metadata. */
export function ownQuantizationMethod(version: Pick<VersionRecord, "metadata" | "parents">): Int8Method | undefined {
  const edge = version.parents.find((parent) => parent.relation === "QUANTIZED_FROM");
  return quantizationMethodOf(version, edge);
}
