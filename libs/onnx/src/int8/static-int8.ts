import type { onnx } from "onnx-proto";
import { inferElementTypes } from "../model/element-types";
import { defaultOpset, GraphIndex, graphOf, intAttr, keepReadInitializers, makeNode, NameAllocator } from "../model/graph";
import { cloneModel } from "../model/model-io";
import { dimsOf, floatTensor, int32Tensor, int8Tensor, readFloats, uint8Tensor } from "../model/tensor-data";
import { OnnxError } from "../onnx-error";
import { calibrate, validatePercentile, type CalibrationOptions } from "./calibration";
import { activationParams, quantizeBiasInt32, symmetricInt8PerChannel, type QuantizationParams } from "./quantization-math";
import { planNode, type Plan } from "./static-int8-plan";

export interface StaticInt8Report {
  format: "QDQ";
  activations: string;
  weights: string;
  bias: string;
  method: CalibrationOptions["method"];
  percentile?: number;
  calibrationBatches: number;
  calibratedTensors: number;
  /** op type -> nodes quantized. */
  quantizedNodes: Record<string, number>;
  /** op type -> Conv/MatMul/Gemm nodes left in float32, with the reason. */
  keptInFloat32: Record<string, { nodes: number; reason: string }>;
  otherOps: string;
}

export interface StaticInt8Options {
  /**
   * "int8" (default): S8S8, the format onnxruntime recommends. On x86 without VNNI onnxruntime
   * runs int8 QLinearConv/QLinearMatMul only after turning Q/DQ pairs to uint8, which it does
   * only where a QuantizeLinear has a single reader: ops whose input or output fans out (a
   * residual, a Shape) stay unfused there. "uint8" (U8S8, same grid shifted by 128, same error)
   * fuses every one of them on such machines.
   */
  activations?: "int8" | "uint8";
  /**
   * Weights in [-64, 64] (7 bits) instead of [-127, 127]. Default true: onnxruntime's fused
   * u8 x s8 kernels on x86 without VNNI add pairs of products in int16 (vpmaddubsw), which
   * saturates with full-range weights. On the test UNet (test/trained-unet.test.ts) the error vs
   * float32 of full-range weights is 2.2% in the QDQ graph's own arithmetic but 3.1% once fused
   * (S8S8, partly fused) and 9.0% (U8S8, all fused); 7-bit weights give 2.2% fused or not,
   * whatever the machine. Full range is right where the session sets
   * "session.x64quantprecision" = "1" or the CPU has VNNI.
   */
  reduceRange?: boolean;
}

/**
 * Static int8 quantization in QDQ format: QuantizeLinear/DequantizeLinear pairs around the
 * inputs and outputs of every Conv, MatMul and Gemm, with 8-bit activations (asymmetric, per
 * tensor, ranges from calibration) and int8 weights (symmetric, per output channel), and biases
 * in int32 at scale inputScale * weightScale. onnxruntime fuses DQ -> op -> Q into QLinearConv /
 * QLinearMatMul / QGemm; every other op computes in float32 between a DQ and a Q.
 *
 * A tensor is quantized once and all its readers take the dequantized value, as onnxruntime's
 * own quantizer does (the fusion needs the op's output to go to the Q alone).
 */
export async function quantizeStaticInt8(model: onnx.IModelProto, calibration: CalibrationOptions, options: StaticInt8Options = {}): Promise<onnx.ModelProto> {
  return (await quantizeStaticInt8WithReport(model, calibration, options)).model;
}

export async function quantizeStaticInt8WithReport(
  source: onnx.IModelProto,
  calibration: CalibrationOptions,
  options: StaticInt8Options = {},
): Promise<{ model: onnx.ModelProto; report: StaticInt8Report }> {
  const activationType = options.activations ?? "int8";
  const weightMax = options.reduceRange === false ? 127 : 64;
  const opset = defaultOpset(source);
  if (opset < 13) throw new OnnxError("UNSUPPORTED_MODEL", `int8-static needs opset 13 or later (per-axis DequantizeLinear); the model has opset ${opset}`);
  const percentile = validatePercentile(calibration);
  const model = cloneModel(source);
  const graph = graphOf(model);
  const index = new GraphIndex(graph);
  const types = inferElementTypes(graph);
  const names = new NameAllocator(graph);

  const plans: Plan[] = [];
  const keptInFloat32: StaticInt8Report["keptInFloat32"] = {};
  for (const node of graph.node ?? []) {
    const op = node.opType ?? "";
    if (op !== "Conv" && op !== "MatMul" && op !== "Gemm") continue;
    const plan = planNode(node, index, types);
    if (typeof plan === "string") (keptInFloat32[op] ??= { nodes: 0, reason: plan }).nodes++;
    else plans.push(plan);
  }
  if (plans.length === 0) throw new OnnxError("UNSUPPORTED_MODEL", "no Conv, MatMul or Gemm node can be quantized");

  const activations = [...new Set(plans.flatMap((p) => [...p.activations.map((i) => p.node.input![i]!), p.node.output![0]!]))];
  const { ranges, batches } = await calibrate(source, activations, calibration);
  const params = new Map<string, QuantizationParams>(activations.map((t) => [t, activationParams(ranges.get(t)!.min, ranges.get(t)!.max, activationType)]));
  const inputParams = new Map(plans.map((p) => [p.node, params.get(p.node.input![p.activations[0]!]!)!]));

  const head: onnx.INodeProto[] = [];
  const after = new Map<string, onnx.INodeProto[]>();
  const added: onnx.ITensorProto[] = [];

  for (const tensor of activations) {
    const { scale, zeroPoint } = params.get(tensor)!;
    const [scaleName, zeroName, quantized] = [names.fresh(`${tensor}_scale`), names.fresh(`${tensor}_zero_point`), names.fresh(`${tensor}_quantized`)];
    added.push(floatTensor(scaleName, [], [scale]), (activationType === "int8" ? int8Tensor : uint8Tensor)(zeroName, [], [zeroPoint]));
    if (index.graphInputs.has(tensor)) {
      const dequantized = names.fresh(`${tensor}_dequantized`);
      for (const use of index.usesOf(tensor)) use.node.input![use.input] = dequantized;
      head.push(qdq("QuantizeLinear", tensor, scaleName, zeroName, quantized, names), qdq("DequantizeLinear", quantized, scaleName, zeroName, dequantized, names));
    } else {
      // The producer writes TENSOR_float; the DequantizeLinear writes TENSOR, which every reader (and a graph output) keeps reading.
      const float = names.fresh(`${tensor}_float`);
      const producer = index.producer.get(tensor)!;
      producer.output = producer.output!.map((t) => (t === tensor ? float : t));
      after.set(float, [qdq("QuantizeLinear", float, scaleName, zeroName, quantized, names), qdq("DequantizeLinear", quantized, scaleName, zeroName, tensor, names)]);
    }
  }

  const weightCache = new Map<string, { dequantized: string; scales: Float32Array }>();
  for (const plan of plans) {
    const { node, weight, bias } = plan;
    if (!weight) continue;
    const name = node.input![weight.input]!;
    const key = `${name}|${weight.axis}|${weight.alpha}`;
    let quantizedWeight = weightCache.get(key);
    if (!quantizedWeight) {
      const init = index.initializers.get(name)!;
      const dims = dimsOf(init);
      const values = readFloats(init).map((v) => v * weight.alpha);
      const q = symmetricInt8PerChannel(values, dims, weight.axis, weightMax);
      const [qName, scaleName, zeroName, dequantized] = ["quantized", "scale", "zero_point", "dequantized"].map((s) => names.fresh(`${name}_${s}`)) as [string, string, string, string];
      added.push(int8Tensor(qName, dims, q.values), floatTensor(scaleName, [q.scales.length], q.scales), int8Tensor(zeroName, [q.scales.length], q.zeroPoints));
      head.push(qdq("DequantizeLinear", qName, scaleName, zeroName, dequantized, names, weight.axis));
      quantizedWeight = { dequantized, scales: q.scales };
      weightCache.set(key, quantizedWeight);
    }
    node.input![weight.input] = quantizedWeight.dequantized;
    if (bias) {
      const biasName = node.input![2]!;
      const values = readFloats(index.initializers.get(biasName)!).map((v) => v * bias.beta);
      const q = quantizeBiasInt32(values, inputParams.get(node)!.scale, quantizedWeight.scales);
      const [qName, scaleName, zeroName, dequantized] = ["quantized", "scale", "zero_point", "dequantized"].map((s) => names.fresh(`${biasName}_${s}`)) as [string, string, string, string];
      added.push(int32Tensor(qName, [values.length], q.values), floatTensor(scaleName, [values.length], q.scales), int32Tensor(zeroName, [values.length], new Int32Array(values.length)));
      head.push(qdq("DequantizeLinear", qName, scaleName, zeroName, dequantized, names, 0));
      node.input![2] = dequantized;
    }
    if (node.opType === "Gemm") node.attribute = (node.attribute ?? []).filter((a) => a.name !== "alpha" && (a.name !== "beta" || !bias));
  }

  graph.node = [...head, ...(graph.node ?? []).flatMap((node) => [node, ...(node.output ?? []).flatMap((t) => after.get(t) ?? [])])];
  graph.initializer = [...keepReadInitializers(graph), ...added];

  const quantizedNodes: Record<string, number> = {};
  for (const plan of plans) quantizedNodes[plan.node.opType!] = (quantizedNodes[plan.node.opType!] ?? 0) + 1;
  return {
    model,
    report: {
      format: "QDQ",
      activations: `${activationType}, asymmetric, per tensor`,
      weights:
        weightMax === 64
          ? "int8, symmetric [-64, 64] (7 bits: no int16 saturation in onnxruntime's u8 x s8 kernels on x86 without VNNI), per output channel"
          : "int8, symmetric [-127, 127], per output channel",
      bias: "int32 at scale inputScale * weightScale, per output channel",
      method: calibration.method,
      ...(calibration.method === "percentile" ? { percentile } : {}),
      calibrationBatches: batches,
      calibratedTensors: activations.length,
      quantizedNodes,
      keptInFloat32,
      otherOps: "every other op computes in float32 between a DequantizeLinear and a QuantizeLinear",
    },
  };
}

function qdq(op: "QuantizeLinear" | "DequantizeLinear", input: string, scale: string, zeroPoint: string, output: string, names: NameAllocator, axis?: number): onnx.INodeProto {
  return makeNode(op, [input, scale, zeroPoint], [output], names.fresh(`${output}_${op}`), axis === undefined ? [] : [intAttr("axis", axis)]);
}
