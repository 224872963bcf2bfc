import type { onnx } from "onnx-proto";
import { inferElementTypes } from "../model/element-types";
import { defaultOpset, floatAttribute, GraphIndex, graphOf, intAttribute, intAttr, keepReadInitializers, makeNode, NameAllocator } from "../model/graph";
import { cloneModel } from "../model/model-io";
import { DataType, dimsOf, floatTensor, readFloats, uint8Tensor } from "../model/tensor-data";
import { OnnxError } from "../onnx-error";
import { asymmetricUint8PerChannel } from "./quantization-math";

export interface DynamicInt8Report {
  activations: string;
  weights: string;
  /** op type -> nodes quantized. */
  quantizedNodes: Record<string, number>;
  /** op type -> nodes left in float32, with the reason. */
  keptInFloat32: Record<string, { nodes: number; reason: string }>;
}

/**
 * Dynamic int8, as onnxruntime's quantize_dynamic does it: every MatMul/Gemm with a constant
 * weight becomes DynamicQuantizeLinear(A) -> MatMulInteger(A_q, W_q, A_zp, W_zp) -> Cast to
 * float -> Mul by A_scale * W_scale (-> Add bias for Gemm). onnxruntime fuses the chain into
 * MatMulIntegerToFloat / DynamicQuantizeMatMul.
 *
 * Weights are uint8 (asymmetric, per output column) rather than int8: DynamicQuantizeLinear
 * only produces uint8 activations, and the CPU MatMulInteger u8 x s8 path saturates (pairs of
 * products summed in int16, vpmaddubsw) on x86 without VNNI; measured here: 255 * 127 summed over
 * 64 gave 1048544 instead of 2072640. u8 x u8 is exact.
 */
export function quantizeDynamicInt8(model: onnx.IModelProto): onnx.ModelProto {
  return quantizeDynamicInt8WithReport(model).model;
}

export function quantizeDynamicInt8WithReport(source: onnx.IModelProto): { model: onnx.ModelProto; report: DynamicInt8Report } {
  const opset = defaultOpset(source);
  if (opset < 11) throw new OnnxError("UNSUPPORTED_MODEL", `int8-dynamic needs opset 11 or later (DynamicQuantizeLinear); the model has opset ${opset}`);
  const model = cloneModel(source);
  const graph = graphOf(model);
  const index = new GraphIndex(graph);
  const types = inferElementTypes(graph);
  const names = new NameAllocator(graph);
  const report: DynamicInt8Report = {
    activations: "uint8, asymmetric, per tensor, quantized at run time (DynamicQuantizeLinear)",
    weights: "uint8, asymmetric, per output column",
    quantizedNodes: {},
    keptInFloat32: {},
  };
  const keep = (op: string, reason: string) => (report.keptInFloat32[op] ??= { nodes: 0, reason }).nodes++;

  const activationQuantizers = new Map<string, [string, string, string]>();
  const rewritten: onnx.INodeProto[] = [];
  for (const node of graph.node ?? []) {
    const op = node.opType ?? "";
    if (op === "Conv") keep(op, "dynamic quantization covers MatMul and Gemm only");
    if (op !== "MatMul" && op !== "Gemm") {
      rewritten.push(node);
      continue;
    }
    const reason = unsupported(node, index, types);
    if (reason) {
      keep(op, reason);
      rewritten.push(node);
      continue;
    }
    const [a = "", b = "", c = ""] = node.input ?? [];
    let quantizedA = activationQuantizers.get(a);
    if (!quantizedA) {
      quantizedA = [names.fresh(`${a}_quantized`), names.fresh(`${a}_scale`), names.fresh(`${a}_zero_point`)];
      rewritten.push(makeNode("DynamicQuantizeLinear", [a], quantizedA, names.fresh(`${a}_DynamicQuantizeLinear`)));
      activationQuantizers.set(a, quantizedA);
    }
    const [aQuantized, aScale, aZeroPoint] = quantizedA;

    const weight = index.initializers.get(b)!;
    const transB = op === "Gemm" && intAttribute(node, "transB", 0) === 1;
    const alpha = op === "Gemm" ? floatAttribute(node, "alpha", 1) : 1;
    const [k, n] = weightShape(dimsOf(weight), transB);
    const values = transposeIf(readFloats(weight), dimsOf(weight), transB).map((v) => v * alpha);
    const q = asymmetricUint8PerChannel(values, [k, n], 1);
    const [wQuantized, wScale, wZeroPoint] = ["quantized", "scale", "zero_point"].map((s) => names.fresh(`${b}_${s}`)) as [string, string, string];
    graph.initializer!.push(uint8Tensor(wQuantized, [k, n], q.values), floatTensor(wScale, [n], q.scales), uint8Tensor(wZeroPoint, [n], q.zeroPoints));

    const base = node.name || node.output![0]!;
    const output = node.output![0]!;
    const [integer, float, scale] = ["MatMulInteger", "float", "scale"].map((s) => names.fresh(`${output}_${s}`)) as [string, string, string];
    const scaled = c ? names.fresh(`${output}_unbiased`) : output;
    rewritten.push(
      makeNode("MatMulInteger", [aQuantized, wQuantized, aZeroPoint, wZeroPoint], [integer], names.fresh(`${base}_MatMulInteger`)),
      makeNode("Cast", [integer], [float], names.fresh(`${base}_Cast`), [intAttr("to", DataType.FLOAT)]),
      makeNode("Mul", [aScale, wScale], [scale], names.fresh(`${base}_scales_Mul`)),
      makeNode("Mul", [float, scale], [scaled], names.fresh(`${base}_Mul`)),
    );
    if (c) {
      const beta = floatAttribute(node, "beta", 1);
      let bias = c;
      if (beta !== 1) {
        const init = index.initializers.get(c)!;
        bias = names.fresh(`${c}_beta`);
        graph.initializer!.push(floatTensor(bias, dimsOf(init), readFloats(init).map((v) => v * beta)));
      }
      rewritten.push(makeNode("Add", [scaled, bias], [output], names.fresh(`${base}_bias_Add`)));
    }
    report.quantizedNodes[op] = (report.quantizedNodes[op] ?? 0) + 1;
  }
  graph.node = rewritten;
  graph.initializer = keepReadInitializers(graph);
  return { model, report };
}

function unsupported(node: onnx.INodeProto, index: GraphIndex, types: Map<string, number>): string | undefined {
  const [a = "", b = "", c = ""] = node.input ?? [];
  if (types.get(a) !== DataType.FLOAT || types.get(node.output?.[0] ?? "") !== DataType.FLOAT) return "not a float32 op";
  if (index.initializers.has(a)) return "the first input is a constant";
  const weight = index.initializers.get(b);
  if (!weight || weight.dataType !== DataType.FLOAT) return "both inputs are activations: no weight to quantize offline";
  if (dimsOf(weight).length !== 2) return "the weight is not 2-D";
  if (node.opType === "Gemm") {
    if (intAttribute(node, "transA", 0) === 1) return "transA is set";
    if (c && index.initializers.get(c)?.dataType !== DataType.FLOAT) return "the bias is computed, not an initializer";
  }
  return undefined;
}

function weightShape(dims: number[], transposed: boolean): [number, number] {
  const [rows = 0, columns = 0] = dims;
  return transposed ? [columns, rows] : [rows, columns];
}

function transposeIf(values: Float32Array, dims: number[], transpose: boolean): Float32Array {
  if (!transpose) return values;
  const [rows = 0, columns = 0] = dims;
  const out = new Float32Array(values.length);
  for (let r = 0; r < rows; r++) for (let col = 0; col < columns; col++) out[col * rows + r] = values[r * columns + col]!;
  return out;
}
