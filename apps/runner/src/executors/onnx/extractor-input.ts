import { readFile } from "node:fs/promises";
import { FailureKind, ModelFormat, ModelRole, parseDigest } from "@distillery/domain";
import { type FidStatistics, readFidStatistics } from "@distillery/eval";
import { InputError, type ResolveContext, cachedBlob, fetchModelVersion } from "../resolve-inputs";

/** The FID feature extractor of a protocol, with the reference statistics its metadata names. */
export interface EvaluationExtractor {
  /** name@v<N> */
  ref: string;
  path: string;
  channels: number;
  resolution: number;
  /** The ONNX output holding the features (pre-activation). */
  featureOutput: string;
  reference: FidStatistics;
  /** sha256:<hex> of the reference statistics' npz. */
  referenceDigest: string;
  /** What the reference statistics were computed over, as the protocol key names it. */
  dataset: string;
}

/**
 * Resolves an EXTRACTOR version (made by the trainer's `extractor` command) and its reference
 * statistics, both through the runner's verified cache. Anything else named as an extractor is the
 * experiment's mistake (USER_ERROR).
 */
export async function resolveExtractor(ref: string, context: ResolveContext): Promise<EvaluationExtractor> {
  const { version, path } = await fetchModelVersion(ref, ModelFormat.ONNX, "extractor", context);
  if (version.model.role !== ModelRole.EXTRACTOR) {
    throw new InputError(`the extractor ${ref} is a ${version.model.role} model: name an EXTRACTOR version`, FailureKind.USER_ERROR);
  }
  const metadata = version.metadata ?? {};
  const architecture = (metadata.architecture ?? {}) as Record<string, unknown>;
  const stats = (metadata.referenceStats ?? {}) as Record<string, unknown>;
  if (typeof stats.digest !== "string" || typeof architecture.resolution !== "number" || typeof architecture.in_channels !== "number") {
    throw new InputError(`the extractor ${version.ref} has no reference statistics or architecture in its metadata`, FailureKind.USER_ERROR);
  }
  let hex: string;
  try {
    hex = parseDigest(stats.digest);
  } catch {
    throw new InputError(`the extractor ${version.ref} names reference statistics with a bad digest: ${stats.digest}`, FailureKind.USER_ERROR);
  }
  const statsPath = await cachedBlob(hex, context);
  let reference: FidStatistics;
  try {
    reference = readFidStatistics(new Uint8Array(await readFile(statsPath)));
  } catch (error) {
    throw new InputError(`the reference statistics of ${version.ref} are not pytorch-fid's npz (mu, sigma): ${(error as Error).message}`, FailureKind.USER_ERROR);
  }
  return {
    ref: version.ref,
    path,
    channels: architecture.in_channels,
    resolution: architecture.resolution,
    featureOutput: typeof metadata.featureOutput === "string" ? metadata.featureOutput : "features",
    reference,
    referenceDigest: stats.digest,
    dataset: describeDataset(stats.dataset),
  };
}

/** A platform dataset by its ref; any other source as canonical JSON (keys sorted), so equal sources give equal keys. */
function describeDataset(dataset: unknown): string {
  if (typeof dataset === "object" && dataset !== null && (dataset as { source?: unknown }).source === "platform") {
    return String((dataset as { ref?: unknown }).ref);
  }
  return canonicalJson(dataset ?? "unknown");
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (typeof value === "object" && value !== null) {
    const entries = Object.entries(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, entry]) => `${JSON.stringify(key)}:${canonicalJson(entry)}`).join(",")}}`;
  }
  return JSON.stringify(value);
}
