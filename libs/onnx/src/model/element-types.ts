import type { onnx } from "onnx-proto";
import { attribute, intAttribute } from "./graph";
import { DataType } from "./tensor-data";

const BOOL_OUTPUT = new Set(["Equal", "Less", "Greater", "LessOrEqual", "GreaterOrEqual", "Not", "And", "Or", "Xor", "IsNaN", "IsInf"]);
const INT64_OUTPUT = new Set(["Shape", "Size", "NonZero", "ArgMax", "ArgMin"]);

/**
 * The element type of every tensor of the graph (top level), from the graph's inputs,
 * initializers and value_info and per-op rules: only the element type, which is what the
 * precision rewrites need, not the shapes. Unknown ops take the type of their first input.
 */
export function inferElementTypes(graph: onnx.IGraphProto): Map<string, number> {
  const types = new Map<string, number>();
  const declared = new Map<string, number>();
  for (const value of [...(graph.input ?? []), ...(graph.valueInfo ?? []), ...(graph.output ?? [])]) {
    const elemType = value.type?.tensorType?.elemType;
    if (elemType) declared.set(value.name ?? "", elemType);
  }
  for (const value of graph.input ?? []) if (declared.has(value.name ?? "")) types.set(value.name ?? "", declared.get(value.name ?? "")!);
  for (const init of graph.initializer ?? []) types.set(init.name ?? "", init.dataType ?? DataType.UNDEFINED);

  for (const node of graph.node ?? []) {
    const inputTypes = (node.input ?? []).map((name) => types.get(name) ?? DataType.UNDEFINED);
    const outputs = outputTypes(node, inputTypes);
    (node.output ?? []).forEach((name, index) => {
      if (!name) return;
      types.set(name, declared.get(name) ?? outputs[index] ?? outputs[0] ?? DataType.UNDEFINED);
    });
  }
  return types;
}

function outputTypes(node: onnx.INodeProto, inputs: number[]): number[] {
  const op = node.opType ?? "";
  const domain = node.domain ?? "";
  const first = inputs[0] ?? DataType.UNDEFINED;
  if (domain !== "" && domain !== "ai.onnx") return [first];
  if (BOOL_OUTPUT.has(op)) return [DataType.BOOL];
  if (INT64_OUTPUT.has(op)) return [DataType.INT64];
  switch (op) {
    case "Cast":
      return [intAttribute(node, "to", DataType.UNDEFINED)];
    case "CastLike":
      return [inputs[1] ?? DataType.UNDEFINED];
    case "Constant":
      return [constantType(node)];
    case "ConstantOfShape":
      return [attribute(node, "value")?.t?.dataType ?? DataType.FLOAT];
    case "Where":
      return [inputs[1] ?? DataType.UNDEFINED];
    case "QuantizeLinear":
      return [inputs[2] ?? DataType.UINT8];
    case "DequantizeLinear":
      return [inputs[1] ?? DataType.FLOAT];
    case "DynamicQuantizeLinear":
      return [DataType.UINT8, DataType.FLOAT, DataType.UINT8];
    case "MatMulInteger":
    case "ConvInteger":
      return [DataType.INT32];
    case "QLinearConv":
    case "QLinearMatMul":
      return [inputs[7] ?? DataType.UINT8];
    case "LayerNormalization":
      return [first, DataType.FLOAT, DataType.FLOAT];
    case "TopK":
      return [first, DataType.INT64];
    case "OneHot":
      return [inputs[2] ?? DataType.UNDEFINED];
    case "EyeLike":
    case "RandomNormalLike":
    case "RandomUniformLike":
      return [intAttribute(node, "dtype", first)];
    case "RandomNormal":
    case "RandomUniform":
      return [intAttribute(node, "dtype", DataType.FLOAT)];
    default:
      return [first];
  }
}

function constantType(node: onnx.INodeProto): number {
  for (const a of node.attribute ?? []) {
    if (a.name === "value") return a.t?.dataType ?? DataType.UNDEFINED;
    if (a.name === "value_float" || a.name === "value_floats") return DataType.FLOAT;
    if (a.name === "value_int" || a.name === "value_ints") return DataType.INT64;
    if (a.name === "value_string" || a.name === "value_strings") return DataType.STRING;
  }
  return DataType.UNDEFINED;
}
