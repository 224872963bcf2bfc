import type { onnx } from "onnx-proto";
import { floatAttribute, intAttribute, type GraphIndex } from "../model/graph";
import { DataType, dimsOf } from "../model/tensor-data";

/** How one Conv/MatMul/Gemm gets quantized. */
export interface Plan {
  node: onnx.INodeProto;
  /** Input positions that carry activations (quantized per tensor from calibrated ranges). */
  activations: number[];
  /** The weight initializer's input position and channel axis (per-channel, symmetric). */
  weight?: { input: number; axis: number; alpha: number };
  /** A 1-D bias initializer at input 2, quantized to int32. */
  bias?: { beta: number };
}

/** The plan for a Conv/MatMul/Gemm node, or why it stays float32. */
export function planNode(node: onnx.INodeProto, index: GraphIndex, types: Map<string, number>): Plan | string {
  const op = node.opType ?? "";
  const [a = "", b = "", c = ""] = node.input ?? [];
  const isFloat = (t: string) => types.get(t) === DataType.FLOAT;
  const floatInit = (t: string) => (index.initializers.get(t)?.dataType === DataType.FLOAT ? index.initializers.get(t) : undefined);
  if (!isFloat(a) || !isFloat(b) || !isFloat(node.output?.[0] ?? "")) return "not a float32 op";
  if (floatInit(a)) return "the first input is a constant";
  const weight = floatInit(b);
  const bias = c ? floatInit(c) : undefined;
  if (c && !bias) return "the bias is computed, not an initializer";
  const biasPlan = bias && dimsOf(bias).length === 1 ? { beta: op === "Gemm" ? floatAttribute(node, "beta", 1) : 1 } : undefined;
  if (bias && !biasPlan) return "the bias is not 1-D";
  switch (op) {
    case "Conv":
      if (!weight) return "the weight is computed, not an initializer";
      return { node, activations: [0], weight: { input: 1, axis: 0, alpha: 1 }, ...(biasPlan ? { bias: biasPlan } : {}) };
    case "Gemm":
      if (!weight || dimsOf(weight).length !== 2) return "the weight is not a 2-D initializer";
      if (bias && dimsOf(bias)[0] !== dimsOf(weight)[intAttribute(node, "transB", 0) === 1 ? 0 : 1]) return "the bias does not have one value per output";
      return {
        node,
        activations: [0],
        weight: { input: 1, axis: intAttribute(node, "transB", 0) === 1 ? 0 : 1, alpha: floatAttribute(node, "alpha", 1) },
        ...(biasPlan ? { bias: biasPlan } : {}),
      };
    default: // MatMul: a constant right-hand side is a weight (per column), else both sides are activations.
      if (!weight) return { node, activations: [0, 1] };
      if (dimsOf(weight).length < 2) return "the weight is 1-D";
      return { node, activations: [0], weight: { input: 1, axis: dimsOf(weight).length - 1, alpha: 1 } };
  }
}
