import { stat } from "node:fs/promises";
import { join, resolve } from "node:path";
import type { ModelFormat, VersionRecord } from "../registry/version-record";

const EXTENSIONS: Readonly<Record<ModelFormat, string>> = { ONNX: "onnx", TORCH: "pt" };

/** `student-v3-int8.onnx`: the version, not the alias, so two pulls of a moved alias never collide. */
export function defaultFileName(version: Pick<VersionRecord, "model" | "version" | "precision" | "format">): string {
  return `${version.model.name}-v${version.version}-${version.precision.toLowerCase()}.${EXTENSIONS[version.format]}`;
}

/** `-o PATH` as given (a folder, existing or written with a trailing slash, gets the default name inside it), else the default name here; absolute. */
export async function outputPath(version: Pick<VersionRecord, "model" | "version" | "precision" | "format">, flag: string | undefined): Promise<string> {
  if (flag === undefined) return resolve(defaultFileName(version));
  const isFolder = /[/\\]$/.test(flag) || (await stat(flag).then((info) => info.isDirectory(), () => false));
  return resolve(isFolder ? join(flag, defaultFileName(version)) : flag);
}

/**
 * Where the bytes of `output` accumulate until they are verified: beside it (so the final rename
 * stays on one filesystem), named by the digest, so a rerun resumes only the same blob's bytes.
 */
export function partialPathFor(output: string, hex: string): string {
  return `${output}.sha256-${hex.slice(0, 16)}.part`;
}
