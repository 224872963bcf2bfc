// @distillery/onnx: read, write and inspect ONNX models; quantize them to fp16, int8 dynamic
// and int8 static (QDQ, calibrated in onnxruntime-node); measure what quantizing cost.
export { OnnxError, type OnnxErrorCode } from "./onnx-error";
export { readModel, writeModel } from "./model/model-io";
export { inspectModel, type ModelInspection, type TensorDescription } from "./model/inspect-model";

export { quantize, QUANTIZATION_METADATA_KEY, type QuantizationPrecision, type QuantizeRequest, type QuantizeResult } from "./quantize";
export { convertToFp16, type Fp16Options } from "./fp16/convert-to-fp16";
export { CPU_OPS_WITHOUT_FP16_KERNEL } from "./fp16/cpu-fp16-kernels";
export { quantizeDynamicInt8 } from "./int8/dynamic-int8";
export { quantizeStaticInt8, type StaticInt8Options } from "./int8/static-int8";
export type { CalibrationOptions } from "./int8/calibration";
export { compareOutputs, type OutputError } from "./compare-outputs";

export { createCpuSession, type Feeds } from "./runtime/session";
/**
 * The onnxruntime-node this library runs models with: build Feeds with its Tensor, so that a
 * second copy of the package (another version in another workspace) cannot slip in.
 */
export * as ort from "onnxruntime-node";
