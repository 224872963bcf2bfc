// Writes small ONNX models by hand (the few protobuf fields of ModelProto they need), so libs/eval
// builds its float64 MatMul (onnx-gemm.ts) and tests build toy networks without an ONNX or
// protobuf dependency. Field numbers are those of onnx.proto (IR version 8).

export type OnnxElementType = "float32" | "int64" | "float64";

const ELEMENT_TYPE: Record<OnnxElementType, number> = { float32: 1, int64: 7, float64: 11 };

export interface OnnxValueInfo {
  name: string;
  type: OnnxElementType;
  /** Fixed sizes or symbolic names. */
  shape: Array<number | string>;
}

export interface OnnxNode {
  op: string;
  inputs: string[];
  outputs: string[];
  /** Integer attributes only (e.g. Cast's `to`). */
  attributes?: Record<string, number>;
}

export interface OnnxInitializer {
  name: string;
  type: OnnxElementType;
  dims: number[];
  values: ArrayLike<number>;
}

export interface OnnxGraph {
  name: string;
  nodes: OnnxNode[];
  inputs: OnnxValueInfo[];
  outputs: OnnxValueInfo[];
  initializers?: OnnxInitializer[];
  metadata?: Record<string, string>;
}

function varint(value: number): number[] {
  if (!Number.isSafeInteger(value) || value < 0) throw new Error(`onnx writer: ${value} is not a non-negative integer`);
  const out: number[] = [];
  let v = value;
  while (v >= 0x80) {
    out.push((v % 0x80) | 0x80);
    v = Math.floor(v / 0x80);
  }
  out.push(v);
  return out;
}

const tag = (field: number, wireType: 0 | 2) => varint(field * 8 + wireType);
const int = (field: number, value: number) => [...tag(field, 0), ...varint(value)];
const bytes = (field: number, content: ArrayLike<number>) => [...tag(field, 2), ...varint(content.length), ...Array.from(content)];
const text = (field: number, value: string) => bytes(field, Buffer.from(value, "utf8"));

/** ValueInfoProto{name, type: TypeProto{tensor_type{elem_type, shape{dim{dim_value | dim_param}}}}} */
function valueInfo(info: OnnxValueInfo): number[] {
  const shape = info.shape.flatMap((dim) => bytes(1, typeof dim === "number" ? int(1, dim) : text(2, dim)));
  return [...text(1, info.name), ...bytes(2, bytes(1, [...int(1, ELEMENT_TYPE[info.type]), ...bytes(2, shape)]))];
}

/** NodeProto{input, output, op_type, attribute{name, type INT, i}} */
function node(n: OnnxNode, index: number): number[] {
  const attributes = Object.entries(n.attributes ?? {}).flatMap(([name, value]) => bytes(5, [...text(1, name), ...int(20, 2), ...int(3, value)]));
  return [...n.inputs.flatMap((name) => text(1, name)), ...n.outputs.flatMap((name) => text(2, name)), ...text(3, `${n.op}_${index}`), ...text(4, n.op), ...attributes];
}

/** TensorProto{dims, data_type, name, raw_data (little-endian)} */
function initializer(tensor: OnnxInitializer): number[] {
  const count = tensor.dims.reduce((a, b) => a * b, 1);
  if (tensor.values.length !== count) throw new Error(`onnx writer: ${tensor.name} has ${tensor.values.length} values for dims ${tensor.dims.join("x")}`);
  const data =
    tensor.type === "float32"
      ? new Uint8Array(Float32Array.from(tensor.values).buffer)
      : tensor.type === "float64"
        ? new Uint8Array(Float64Array.from(tensor.values).buffer)
        : new Uint8Array(BigInt64Array.from(Array.from(tensor.values), (v) => BigInt(v)).buffer);
  return [...tensor.dims.flatMap((dim) => int(1, dim)), ...int(2, ELEMENT_TYPE[tensor.type]), ...text(8, tensor.name), ...bytes(9, data)];
}

/** ModelProto, IR version 8, default-domain opset `opset` (17 is what the trainer exports). */
export function encodeOnnxModel(graph: OnnxGraph, opset = 17): Uint8Array {
  const g = [
    ...graph.nodes.flatMap((n, i) => bytes(1, node(n, i))),
    ...text(2, graph.name),
    ...(graph.initializers ?? []).flatMap((t) => bytes(5, initializer(t))),
    ...graph.inputs.flatMap((v) => bytes(11, valueInfo(v))),
    ...graph.outputs.flatMap((v) => bytes(12, valueInfo(v))),
  ];
  const metadata = Object.entries(graph.metadata ?? {}).flatMap(([key, value]) => bytes(14, [...text(1, key), ...text(2, value)]));
  return Uint8Array.from([...int(1, 8), ...text(2, "distillery-eval"), ...bytes(7, g), ...bytes(8, [...text(1, ""), ...int(2, opset)]), ...metadata]);
}

/** c[m, n] = MatMul(a[m, k], b[k, n]) in float64: onnxruntime's CPU provider runs it as MLAS DGEMM. */
export function float64MatMulModel(): Uint8Array {
  return encodeOnnxModel({
    name: "float64_matmul",
    nodes: [{ op: "MatMul", inputs: ["a", "b"], outputs: ["c"] }],
    inputs: [
      { name: "a", type: "float64", shape: ["m", "k"] },
      { name: "b", type: "float64", shape: ["k", "n"] },
    ],
    outputs: [{ name: "c", type: "float64", shape: ["m", "n"] }],
  });
}
