import type * as ort from "onnxruntime-node";
import { fromFloat16Bits } from "../model/float16";
import { OnnxError } from "../onnx-error";

/** A float output of onnxruntime-node as float32 values (float16 comes back as raw bits). */
export function floatValues(tensor: ort.Tensor, name: string): Float32Array {
  if (tensor.type === "float32") return tensor.data as Float32Array;
  if (tensor.type === "float16") {
    const data = tensor.data as ArrayLike<number>;
    return data instanceof Uint16Array ? Float32Array.from(data, fromFloat16Bits) : Float32Array.from(data);
  }
  throw new OnnxError("INVALID_ARGUMENT", `output ${name} is ${tensor.type}, not a float tensor`);
}
