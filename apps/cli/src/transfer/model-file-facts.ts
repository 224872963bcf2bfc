import { readFile } from "node:fs/promises";
import { formatBytes } from "@distillery/domain";
import type { ModelFormat, Precision } from "../registry/version-record";

/**
 * ONNX files up to this size are parsed to fill in what `push` was not told. Parsing needs the
 * whole file in memory (protobuf), several times over while decoding: a 1 GiB model is pushed
 * with --precision and --params instead.
 */
export const INSPECT_LIMIT_BYTES = 256 * 1024 * 1024;

/** What a model file says about itself; `unread` says why it was not looked into. */
export interface ModelFileFacts {
  precision?: Precision;
  params?: number;
  /** The quantizer's record (distillery_quantization metadata): how an int8 or fp16 variant was made. */
  quantization?: Record<string, unknown>;
  unread?: string;
}

export async function modelFileFacts(path: string, sizeBytes: number, format: ModelFormat): Promise<ModelFileFacts> {
  if (format !== "ONNX") return { unread: `a ${format} file is not inspected` };
  if (sizeBytes > INSPECT_LIMIT_BYTES) return { unread: `larger than ${formatBytes(INSPECT_LIMIT_BYTES)}, not inspected` };
  try {
    // Loaded here, not at startup: onnxruntime costs every other command time and memory.
    const { inspectModel, QUANTIZATION_METADATA_KEY, readModel } = await import("@distillery/onnx");
    const inspection = inspectModel(readModel(new Uint8Array(await readFile(path))));
    const recorded = inspection.metadata[QUANTIZATION_METADATA_KEY];
    return { precision: inspection.precision, params: inspection.params, ...(recorded ? { quantization: quantizationRecord(recorded) } : {}) };
  } catch (error) {
    return { unread: `not readable as ONNX (${(error as Error).message})` };
  }
}

function quantizationRecord(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
