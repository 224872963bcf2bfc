import type { onnx } from "onnx-proto";
import { defaultOpset, graphOf } from "./graph";
import { toNumber } from "./int64";
import { DataType, elementCount, elementTypeName, tensorByteSize } from "./tensor-data";

export interface TensorDescription {
  name: string;
  /** "float32" | "float16" | "int64" | "int8" | "uint8" | ... */
  elementType: string;
  /** Fixed sizes as numbers, symbolic axes by name, unknown axes as "?". */
  shape: (number | string)[];
}

export interface ModelInspection {
  irVersion: number;
  opset: number;
  producer: string;
  graphName: string;
  /**
   * Elements in all initializers, whatever their type: weights and biases, and in quantized
   * models also their scales and zero points. Constant nodes (shape and index constants the
   * exporter writes) are not counted.
   */
  params: number;
  initializerBytes: number;
  initializerCount: number;
  nodeCount: number;
  /** INT8 if any multi-element int8/uint8 initializer, else FP16 if float16 initializer elements outnumber float32 ones, else FP32. */
  precision: "FP32" | "FP16" | "INT8";
  /** op_type (prefixed "domain." outside ai.onnx) -> count, keys in descending count order. */
  opHistogram: Record<string, number>;
  inputs: TensorDescription[];
  outputs: TensorDescription[];
  metadata: Record<string, string>;
}

export function inspectModel(model: onnx.IModelProto): ModelInspection {
  const graph = graphOf(model);
  const initializers = graph.initializer ?? [];
  const initializerNames = new Set(initializers.map((t) => t.name ?? ""));
  return {
    irVersion: toNumber(model.irVersion),
    opset: defaultOpset(model),
    producer: [model.producerName, model.producerVersion].filter(Boolean).join(" "),
    graphName: graph.name ?? "",
    params: initializers.reduce((sum, t) => sum + elementCount(t), 0),
    initializerBytes: initializers.reduce((sum, t) => sum + tensorByteSize(t), 0),
    initializerCount: initializers.length,
    nodeCount: (graph.node ?? []).length,
    precision: precisionOf(initializers),
    opHistogram: opHistogram(graph.node ?? []),
    // Old exports list initializers among the inputs too; they are not inputs to feed.
    inputs: (graph.input ?? []).filter((v) => !initializerNames.has(v.name ?? "")).map(describeValue),
    outputs: (graph.output ?? []).map(describeValue),
    metadata: Object.fromEntries((model.metadataProps ?? []).map((p) => [p.key ?? "", p.value ?? ""])),
  };
}

function precisionOf(initializers: onnx.ITensorProto[]): ModelInspection["precision"] {
  const count = (types: number[]) => initializers.filter((t) => types.includes(t.dataType ?? 0)).reduce((sum, t) => sum + elementCount(t), 0);
  // Single-element int8/uint8 tensors are zero points, present in any quantized graph; weights are bigger.
  if (initializers.some((t) => (t.dataType === DataType.INT8 || t.dataType === DataType.UINT8) && elementCount(t) > 1)) return "INT8";
  return count([DataType.FLOAT16]) > count([DataType.FLOAT]) ? "FP16" : "FP32";
}

function opHistogram(nodes: onnx.INodeProto[]): Record<string, number> {
  const counts = new Map<string, number>();
  for (const node of nodes) {
    const domain = node.domain && node.domain !== "ai.onnx" ? `${node.domain}.` : "";
    const key = `${domain}${node.opType ?? ""}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return Object.fromEntries([...counts].sort(([a, x], [b, y]) => y - x || a.localeCompare(b)));
}

function describeValue(value: onnx.IValueInfoProto): TensorDescription {
  const tensorType = value.type?.tensorType;
  return {
    name: value.name ?? "",
    elementType: elementTypeName(tensorType?.elemType),
    shape: (tensorType?.shape?.dim ?? []).map(describeDim),
  };
}

function describeDim(dim: onnx.TensorShapeProto.IDimension): number | string {
  if (dim.dimParam) return dim.dimParam;
  // Decoded messages inherit a default dimValue of 0: only an own property was in the file.
  return Object.prototype.hasOwnProperty.call(dim, "dimValue") && dim.dimValue !== null ? toNumber(dim.dimValue) : "?";
}
