import { onnx } from "onnx-proto";
import { describeError, OnnxError } from "../onnx-error";
import { toNumber } from "./int64";

/**
 * Decodes ONNX protobuf bytes. protobufjs happily decodes many garbage byte strings into an
 * empty or partial message, so a model also needs an IR version, an opset and a graph.
 */
export function readModel(bytes: Uint8Array): onnx.ModelProto {
  let model: onnx.ModelProto;
  try {
    model = onnx.ModelProto.decode(bytes);
  } catch (error) {
    throw new OnnxError("INVALID_ONNX", `not an ONNX model (${bytes.length} bytes): ${describeError(error)}`, { cause: error });
  }
  const missing = [
    toNumber(model.irVersion) > 0 ? undefined : "ir_version",
    model.opsetImport.length > 0 ? undefined : "opset_import",
    model.graph ? undefined : "graph",
  ].filter((field) => field !== undefined);
  if (missing.length > 0) {
    throw new OnnxError("INVALID_ONNX", `not an ONNX model (${bytes.length} bytes): no ${missing.join(", ")}`);
  }
  return model;
}

/** Encodes a model; repeated numeric fields are written packed (any protobuf reader accepts both). */
export function writeModel(model: onnx.IModelProto): Uint8Array {
  return onnx.ModelProto.encode(model).finish();
}

/** A deep copy, so that transformations never touch the caller's model. */
export function cloneModel(model: onnx.IModelProto): onnx.ModelProto {
  return onnx.ModelProto.decode(writeModel(model));
}
