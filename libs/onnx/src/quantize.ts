import type { onnx } from "onnx-proto";
import { compareOutputs, type OutputError } from "./compare-outputs";
import { convertToFp16WithReport } from "./fp16/convert-to-fp16";
import type { CalibrationOptions } from "./int8/calibration";
import { quantizeDynamicInt8WithReport } from "./int8/dynamic-int8";
import { quantizeStaticInt8WithReport, type StaticInt8Options } from "./int8/static-int8";
import { inspectModel, type ModelInspection } from "./model/inspect-model";
import { readModel, writeModel } from "./model/model-io";
import { OnnxError } from "./onnx-error";
import type { Feeds } from "./runtime/session";

export type QuantizationPrecision = "fp16" | "int8-dynamic" | "int8-static";

export interface QuantizeRequest {
  precision: QuantizationPrecision;
  /** Required for int8-static (else OnnxError CALIBRATION_REQUIRED); ignored otherwise. */
  calibration?: CalibrationOptions;
  /** Inputs on which the result is compared with the float32 source. */
  heldOut?: Feeds[];
  /** int8-static only: activation type and weight range (see StaticInt8Options). */
  staticOptions?: StaticInt8Options;
}

export interface QuantizeResult {
  bytes: Uint8Array;
  inspection: ModelInspection;
  /** Per output, against the float32 source on `heldOut`, when given. */
  error?: OutputError[];
  /** What was done (JSON-safe); also stored in the model's metadata as distillery_quantization. */
  quantization: Record<string, unknown>;
}

export const QUANTIZATION_METADATA_KEY = "distillery_quantization";

/**
 * Quantizes a float32 model to one precision. The result keeps the source's metadata_props,
 * opset and IR version, and adds distillery_quantization (JSON of `quantization`).
 */
export async function quantize(modelBytes: Uint8Array, request: QuantizeRequest): Promise<QuantizeResult> {
  const source = readModel(modelBytes);
  const sourcePrecision = inspectModel(source).precision;
  if (sourcePrecision !== "FP32") throw new OnnxError("UNSUPPORTED_MODEL", `the model is already ${sourcePrecision}; quantize its float32 original`);

  const { model, details } = await convert(source, request);
  const quantization: Record<string, unknown> = { precision: request.precision, ...details };
  model.metadataProps = [
    ...(model.metadataProps ?? []).filter((p) => p.key !== QUANTIZATION_METADATA_KEY),
    { key: QUANTIZATION_METADATA_KEY, value: JSON.stringify(quantization) },
  ];
  const bytes = writeModel(model);
  const error = request.heldOut && request.heldOut.length > 0 ? await compareOutputs(modelBytes, bytes, request.heldOut) : undefined;
  return { bytes, inspection: inspectModel(model), ...(error ? { error } : {}), quantization };
}

async function convert(source: onnx.ModelProto, request: QuantizeRequest): Promise<{ model: onnx.ModelProto; details: object }> {
  switch (request.precision) {
    case "fp16": {
      const { model, report } = convertToFp16WithReport(source);
      return { model, details: report };
    }
    case "int8-dynamic": {
      const { model, report } = quantizeDynamicInt8WithReport(source);
      return { model, details: report };
    }
    case "int8-static": {
      if (!request.calibration) throw new OnnxError("CALIBRATION_REQUIRED", "int8-static needs calibration feeds (request.calibration)");
      const { model, report } = await quantizeStaticInt8WithReport(source, request.calibration, request.staticOptions);
      return { model, details: report };
    }
    default:
      throw new OnnxError("INVALID_ARGUMENT", `unknown precision ${String(request.precision)}: use fp16, int8-dynamic or int8-static`);
  }
}
