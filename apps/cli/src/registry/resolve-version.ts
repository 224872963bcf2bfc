import type { GraphQLClient } from "@distillery/client";
import { CliError, ExitCode } from "../cli/exit-codes";
import { type Int8Method, ownQuantizationMethod, quantizationMethodOf } from "./quantization-method";
import { MODEL_VERSION, VERSION_CHILDREN } from "./version-operations";
import type { Precision, VersionRecord } from "./version-record";

export interface VersionRequest {
  /** name, name@v<N> or name@<alias> */
  ref: string;
  precision?: Precision | undefined;
  /** Implies INT8: which of the two int8 variants. */
  method?: Int8Method | undefined;
}

export interface ResolvedVersion {
  version: VersionRecord;
  /** How an INT8 version was quantized, when the registry says. */
  method: Int8Method | undefined;
}

/**
 * What a ref names now. A precision alone is the API's rule (modelVersion follows QUANTIZED_FROM
 * to the newest ready variant); a method picks among the ref's quantized children here, since
 * the API resolves precisions, not methods.
 */
export async function resolveVersion(graphql: GraphQLClient, request: VersionRequest): Promise<ResolvedVersion> {
  if (request.method === undefined) {
    const { modelVersion } = await graphql.request(MODEL_VERSION, { ref: request.ref, precision: request.precision ?? null });
    return { version: modelVersion, method: modelVersion.precision === "INT8" ? ownQuantizationMethod(modelVersion) : undefined };
  }
  const method = request.method;
  const { modelVersion: source } = await graphql.request(VERSION_CHILDREN, { ref: request.ref });
  if (source.precision === "INT8") {
    const own = ownQuantizationMethod(source);
    if (own === method) return { version: source, method };
    throw new CliError(`${request.ref} resolves to ${source.ref}, an INT8 version made ${own ? `with ${own}` : "with an unrecorded method"}, not ${method}`, ExitCode.NOT_FOUND);
  }
  const variants = source.children
    .filter((edge) => edge.relation === "QUANTIZED_FROM" && edge.version.precision === "INT8" && edge.version.status === "READY")
    .map((edge) => ({ version: edge.version, method: quantizationMethodOf(edge.version, edge) }));
  const newest = variants
    .filter((variant) => variant.method === method)
    .sort((a, b) => b.version.createdAt.localeCompare(a.version.createdAt) || b.version.version - a.version.version)[0];
  if (newest) return { version: newest.version, method };
  const others = variants.map((variant) => `${variant.version.ref} (${variant.method ?? "method unrecorded"})`);
  throw new CliError(
    `${request.ref} resolves to ${source.ref}, which has no ready ${method} version quantized from it${others.length > 0 ? `; it has ${others.join(", ")}` : ""}`,
    ExitCode.NOT_FOUND,
  );
}
