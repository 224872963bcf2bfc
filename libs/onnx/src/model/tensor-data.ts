import { onnx } from "onnx-proto";
import { OnnxError } from "../onnx-error";
import { FLOAT16_MAX, fromFloat16Bits, toFloat16Bits } from "./float16";
import { toNumber } from "./int64";

export const DataType = onnx.TensorProto.DataType;

const NAMES: Record<number, string> = {
  [DataType.FLOAT]: "float32",
  [DataType.UINT8]: "uint8",
  [DataType.INT8]: "int8",
  [DataType.UINT16]: "uint16",
  [DataType.INT16]: "int16",
  [DataType.INT32]: "int32",
  [DataType.INT64]: "int64",
  [DataType.STRING]: "string",
  [DataType.BOOL]: "bool",
  [DataType.FLOAT16]: "float16",
  [DataType.DOUBLE]: "float64",
  [DataType.UINT32]: "uint32",
  [DataType.UINT64]: "uint64",
  [DataType.COMPLEX64]: "complex64",
  [DataType.COMPLEX128]: "complex128",
  [DataType.BFLOAT16]: "bfloat16",
};

const BYTES: Record<number, number> = {
  [DataType.FLOAT]: 4,
  [DataType.UINT8]: 1,
  [DataType.INT8]: 1,
  [DataType.UINT16]: 2,
  [DataType.INT16]: 2,
  [DataType.INT32]: 4,
  [DataType.INT64]: 8,
  [DataType.BOOL]: 1,
  [DataType.FLOAT16]: 2,
  [DataType.DOUBLE]: 8,
  [DataType.UINT32]: 4,
  [DataType.UINT64]: 8,
  [DataType.COMPLEX64]: 8,
  [DataType.COMPLEX128]: 16,
  [DataType.BFLOAT16]: 2,
};

/** "float32", "int64", ... (the names onnxruntime-node uses for tensor types). */
export function elementTypeName(dataType: number | null | undefined): string {
  return NAMES[dataType ?? 0] ?? "undefined";
}

export function dimsOf(tensor: onnx.ITensorProto): number[] {
  return (tensor.dims ?? []).map(toNumber);
}

export function elementCount(tensor: onnx.ITensorProto): number {
  return dimsOf(tensor).reduce((product, dim) => product * dim, 1);
}

/** Stored size of the tensor's values (strings: their bytes). */
export function tensorByteSize(tensor: onnx.ITensorProto): number {
  if (tensor.dataType === DataType.STRING) return (tensor.stringData ?? []).reduce((sum, s) => sum + s.length, 0);
  return elementCount(tensor) * (BYTES[tensor.dataType ?? 0] ?? 0);
}

/** The raw little-endian bytes copied into a fresh, aligned buffer. */
function rawBuffer(tensor: onnx.ITensorProto): ArrayBuffer | undefined {
  const raw = tensor.rawData;
  if (!raw || raw.length === 0) return undefined;
  const copy = new Uint8Array(raw.length);
  copy.set(raw);
  return copy.buffer;
}

function assertInline(tensor: onnx.ITensorProto): void {
  if (tensor.dataLocation === onnx.TensorProto.DataLocation.EXTERNAL) {
    throw new OnnxError("UNSUPPORTED_MODEL", `tensor ${tensor.name ?? ""} keeps its data in an external file`);
  }
}

/** Values of a float32, float16 or float64 tensor as float32. */
export function readFloats(tensor: onnx.ITensorProto): Float32Array {
  assertInline(tensor);
  const raw = rawBuffer(tensor);
  switch (tensor.dataType) {
    case DataType.FLOAT:
      return raw ? new Float32Array(raw) : Float32Array.from(tensor.floatData ?? []);
    case DataType.DOUBLE:
      return Float32Array.from(raw ? new Float64Array(raw) : (tensor.doubleData ?? []));
    case DataType.FLOAT16: {
      const bits = raw ? new Uint16Array(raw) : (tensor.int32Data ?? []);
      return Float32Array.from(bits, fromFloat16Bits);
    }
    default:
      throw new OnnxError("UNSUPPORTED_MODEL", `tensor ${tensor.name ?? ""} is ${elementTypeName(tensor.dataType)}, not a float type`);
  }
}

/** Values of an integer or bool tensor as numbers (int64 beyond 2^53 loses precision). */
export function readIntegers(tensor: onnx.ITensorProto): number[] {
  assertInline(tensor);
  const raw = rawBuffer(tensor);
  switch (tensor.dataType) {
    case DataType.INT64:
      return raw ? Array.from(new BigInt64Array(raw), Number) : (tensor.int64Data ?? []).map(toNumber);
    case DataType.UINT64:
      return raw ? Array.from(new BigUint64Array(raw), Number) : (tensor.uint64Data ?? []).map(toNumber);
    case DataType.INT32:
      return Array.from(raw ? new Int32Array(raw) : (tensor.int32Data ?? []));
    case DataType.UINT32:
      return raw ? Array.from(new Uint32Array(raw)) : (tensor.uint64Data ?? []).map(toNumber);
    case DataType.INT16:
      return Array.from(raw ? new Int16Array(raw) : (tensor.int32Data ?? []));
    case DataType.UINT16:
      return Array.from(raw ? new Uint16Array(raw) : (tensor.int32Data ?? []));
    case DataType.INT8:
      return Array.from(raw ? new Int8Array(raw) : (tensor.int32Data ?? []));
    case DataType.UINT8:
    case DataType.BOOL:
      return Array.from(raw ? new Uint8Array(raw) : (tensor.int32Data ?? []));
    default:
      throw new OnnxError("UNSUPPORTED_MODEL", `tensor ${tensor.name ?? ""} is ${elementTypeName(tensor.dataType)}, not an integer type`);
  }
}

function bytesOf(view: ArrayBufferView): Uint8Array {
  return new Uint8Array(view.buffer.slice(view.byteOffset, view.byteOffset + view.byteLength));
}

function tensor(name: string, dims: readonly number[], dataType: number, data: ArrayBufferView): onnx.TensorProto {
  return onnx.TensorProto.create({ name, dims: [...dims], dataType, rawData: bytesOf(data) });
}

export const floatTensor = (name: string, dims: readonly number[], values: ArrayLike<number>) =>
  tensor(name, dims, DataType.FLOAT, Float32Array.from(values));

/** float32 values rounded to float16 (saturating at +-65504 rather than becoming infinite). */
export const float16Tensor = (name: string, dims: readonly number[], values: ArrayLike<number>) =>
  tensor(name, dims, DataType.FLOAT16, Uint16Array.from(values, (v) => toFloat16Bits(Number.isFinite(v) ? Math.max(-FLOAT16_MAX, Math.min(FLOAT16_MAX, v)) : v)));

export const int8Tensor = (name: string, dims: readonly number[], values: ArrayLike<number>) => tensor(name, dims, DataType.INT8, Int8Array.from(values));
export const uint8Tensor = (name: string, dims: readonly number[], values: ArrayLike<number>) => tensor(name, dims, DataType.UINT8, Uint8Array.from(values));
export const int32Tensor = (name: string, dims: readonly number[], values: ArrayLike<number>) => tensor(name, dims, DataType.INT32, Int32Array.from(values));
export const int64Tensor = (name: string, dims: readonly number[], values: readonly number[]) =>
  tensor(name, dims, DataType.INT64, BigInt64Array.from(values, (v) => BigInt(v)));
