import type { onnx } from "onnx-proto";
import { inferElementTypes } from "../model/element-types";
import { GraphIndex, graphOf, intAttribute, makeNode, NameAllocator, setAttribute, tensorAttr, intAttr } from "../model/graph";
import { cloneModel } from "../model/model-io";
import { DataType, dimsOf, float16Tensor, readFloats } from "../model/tensor-data";
import { CPU_OPS_WITHOUT_FP16_KERNEL, NO_FP16_KERNEL_REASON } from "./cpu-fp16-kernels";

export interface Fp16Options {
  /** Ops computed in float32, with Casts where precision changes. Default: CPU_OPS_WITHOUT_FP16_KERNEL. */
  keepInFloat32?: readonly string[];
}

export interface Fp16Report {
  /** op type -> nodes computing in float16. */
  float16Nodes: Record<string, number>;
  /** op type -> nodes kept in float32, with the reason. */
  keptInFloat32: Record<string, { nodes: number; reason: string }>;
  initializersConverted: number;
  castsInserted: number;
}

type Precision = "fp16" | "fp32";
type Mode = Precision | "deferred" | "none";

/** Pure data movement: computes in whatever precision its input already has. */
const FOLLOW_OPS = new Set([
  "Reshape", "Transpose", "Concat", "Slice", "Unsqueeze", "Squeeze", "Flatten", "Gather", "GatherElements", "GatherND",
  "Split", "Expand", "Identity", "Tile", "Pad", "DepthToSpace", "SpaceToDepth",
]);
/** Inputs whose element type does not matter (never cast). */
const ANY_TYPE_INPUTS: Record<string, number[]> = { Shape: [0], Size: [0], Cast: [0], CastLike: [0], EyeLike: [0] };
/** Inputs that must stay float32 whatever the op computes in (Resize's roi and scales). */
const FLOAT32_INPUTS: Record<string, number[]> = { Resize: [1, 2], Upsample: [1] };
/** Outputs that are float32 whatever the op computes in (LayerNormalization's mean and inverse std). */
const FLOAT32_OUTPUTS: Record<string, number[]> = { LayerNormalization: [1, 2] };

/**
 * float32 -> float16: weights stored in float16, compute in float16 except for the ops in
 * `keepInFloat32`, graph inputs and outputs kept float32 (Casts at the graph's edges).
 *
 * Every float tensor gets one precision: graph inputs float32; initializers float16 (the weights,
 * halving the file; those read only where float32 is required, such as Resize scales, stay
 * float32); outputs of float16 ops float16, of kept ops float32; data-movement ops follow their
 * inputs; Constant, ConstantOfShape and Cast-to-float nodes follow their consumers, so an exact
 * float32 constant feeding float32 ops (timestep frequencies) is not rounded. A Cast is inserted
 * wherever a tensor's precision differs from what its consumer computes in (one per tensor and
 * direction); onnxruntime folds the Casts of float16 weights read by float32 ops at load time.
 * Integer tensors (shapes, indices, Resize sizes) are never touched.
 */
export function convertToFp16(model: onnx.IModelProto, options: Fp16Options = {}): onnx.ModelProto {
  return convertToFp16WithReport(model, options).model;
}

export function convertToFp16WithReport(source: onnx.IModelProto, options: Fp16Options = {}): { model: onnx.ModelProto; report: Fp16Report } {
  const model = cloneModel(source);
  const graph = graphOf(model);
  const keep = new Set(options.keepInFloat32 ?? CPU_OPS_WITHOUT_FP16_KERNEL);
  const types = inferElementTypes(graph);
  const index = new GraphIndex(graph);
  const names = new NameAllocator(graph);
  const nodes = graph.node ?? [];
  const isFloat = (tensor: string) => tensor !== "" && types.get(tensor) === DataType.FLOAT;

  const role = (node: onnx.INodeProto, input: number): "data" | "fp32" | "any" | "none" => {
    const tensor = node.input?.[input] ?? "";
    if (!isFloat(tensor)) return "none";
    const op = node.opType ?? "";
    if (ANY_TYPE_INPUTS[op]?.includes(input)) return "any";
    if (FLOAT32_INPUTS[op]?.includes(input)) return "fp32";
    return "data";
  };
  const dataInputs = (node: onnx.INodeProto) => (node.input ?? []).filter((_, i) => role(node, i) === "data");
  const floatOutputs = (node: onnx.INodeProto) => (node.output ?? []).filter((t, i) => isFloat(t) && !FLOAT32_OUTPUTS[node.opType ?? ""]?.includes(i));

  // Precision of each float tensor as produced.
  const native = new Map<string, Precision | "deferred">();
  for (const name of index.graphInputs) if (isFloat(name)) native.set(name, "fp32");
  const declaredInputs = new Set((graph.input ?? []).map((v) => v.name ?? ""));
  for (const [name, init] of index.initializers) {
    // An initializer also declared as a graph input (IR < 4) is an overridable float32 input.
    if (init.dataType !== DataType.FLOAT || declaredInputs.has(name)) continue;
    const uses = index.usesOf(name);
    native.set(name, uses.some((u) => role(u.node, u.input) === "data") ? "fp16" : "fp32");
  }

  const mode = new Map<onnx.INodeProto, Mode>();
  for (const node of nodes) {
    const op = node.opType ?? "";
    const inputs = dataInputs(node);
    const outputs = floatOutputs(node);
    let m: Mode;
    if (inputs.length === 0 && outputs.length === 0) m = "none";
    else if (isFollowConsumers(node)) m = "deferred";
    else if (keep.has(op)) m = "fp32";
    else if (FOLLOW_OPS.has(op)) {
      const decided = inputs.map((t) => native.get(t)).filter((p): p is Precision => p === "fp16" || p === "fp32");
      m = decided.length === 0 ? "deferred" : decided.includes("fp32") ? "fp32" : "fp16";
    } else m = "fp16";
    mode.set(node, m);
    (node.output ?? []).forEach((t, i) => {
      if (!isFloat(t)) return;
      native.set(t, FLOAT32_OUTPUTS[op]?.includes(i) || m === "none" ? "fp32" : m);
    });
  }

  // Deferred nodes take float16 only when every reader computes in float16; resolved back to front,
  // so readers that are deferred themselves are already decided.
  for (const node of [...nodes].reverse()) {
    if (mode.get(node) !== "deferred") continue;
    const allHalf = floatOutputs(node).every((t) => {
      if (index.graphOutputs.has(t)) return false;
      const readers = index.usesOf(t).filter((u) => role(u.node, u.input) !== "any");
      return readers.length > 0 && readers.every((u) => role(u.node, u.input) === "data" && mode.get(u.node) === "fp16");
    });
    const m: Precision = allHalf ? "fp16" : "fp32";
    mode.set(node, m);
    for (const t of floatOutputs(node)) native.set(t, m);
  }

  // Graph outputs produced in float16: the producer writes NAME_fp16, a Cast writes NAME.
  const outputCasts = new Map<string, onnx.NodeProto>();
  const renamed = new Map<string, string>();
  for (const output of index.graphOutputs) {
    if (native.get(output) !== "fp16") continue;
    const half = names.fresh(`${output}_fp16`);
    renamed.set(output, half);
    types.set(half, DataType.FLOAT);
    native.set(half, "fp16");
    outputCasts.set(half, makeNode("Cast", [half], [output], names.fresh(`${output}_cast_to_fp32`), [intAttr("to", DataType.FLOAT)]));
  }
  for (const node of nodes) {
    node.input = (node.input ?? []).map((t) => renamed.get(t) ?? t);
    node.output = (node.output ?? []).map((t) => renamed.get(t) ?? t);
  }

  const report: Fp16Report = { float16Nodes: {}, keptInFloat32: {}, initializersConverted: 0, castsInserted: 0 };
  const casts = new Map<string, string>();
  for (const [half, cast] of outputCasts) casts.set(`${half}->fp32`, cast.output?.[0] ?? "");
  const rewritten: onnx.INodeProto[] = [];
  const castTo = (tensor: string, to: Precision): string => {
    const key = `${tensor}->${to}`;
    const existing = casts.get(key);
    if (existing) return existing;
    const output = names.fresh(`${tensor}_${to}`);
    rewritten.push(makeNode("Cast", [tensor], [output], names.fresh(`${tensor}_cast_to_${to}`), [intAttr("to", to === "fp16" ? DataType.FLOAT16 : DataType.FLOAT)]));
    report.castsInserted++;
    casts.set(key, output);
    return output;
  };

  for (const node of nodes) {
    const m = mode.get(node)!;
    node.input = (node.input ?? []).map((tensor, i) => {
      const r = role(node, i);
      if (r !== "data" && r !== "fp32") return tensor;
      const required: Precision = r === "fp32" ? "fp32" : (m as Precision);
      return (native.get(tensor) ?? "fp32") === required ? tensor : castTo(tensor, required);
    });
    if (m === "fp16") halveAttributes(node);
    rewritten.push(node);
    for (const output of node.output ?? []) {
      const cast = outputCasts.get(output);
      if (cast) rewritten.push(cast);
    }
    count(node, m, keep.has(node.opType ?? ""), report);
  }
  graph.node = rewritten;

  graph.initializer = (graph.initializer ?? []).map((init) => {
    if (init.dataType !== DataType.FLOAT || native.get(init.name ?? "") !== "fp16") return init;
    report.initializersConverted++;
    return float16Tensor(init.name ?? "", dimsOf(init), readFloats(init));
  });
  graph.valueInfo = (graph.valueInfo ?? []).map((value) => {
    const elemType = value.type?.tensorType?.elemType;
    const name = renamed.get(value.name ?? "") ?? value.name ?? "";
    if (elemType !== DataType.FLOAT || native.get(name) !== "fp16") return value;
    return { ...value, name, type: { ...value.type, tensorType: { ...value.type?.tensorType, elemType: DataType.FLOAT16 } } };
  });
  return { model, report };
}

/** Nodes that create float values rather than compute on float inputs: they follow their readers. */
function isFollowConsumers(node: onnx.INodeProto): boolean {
  const op = node.opType ?? "";
  return op === "Constant" || op === "ConstantOfShape" || (op === "Cast" && intAttribute(node, "to", 0) === DataType.FLOAT);
}

/** Float constants carried in attributes, and Cast targets, of a node now computing in float16. */
function halveAttributes(node: onnx.INodeProto): void {
  const op = node.opType ?? "";
  if (op === "Cast") setAttribute(node, intAttr("to", DataType.FLOAT16));
  if (op === "ConstantOfShape") {
    const value = node.attribute?.find((a) => a.name === "value")?.t;
    setAttribute(node, tensorAttr("value", float16Tensor("", [1], value ? readFloats(value) : [0])));
  }
  if (op === "Constant") {
    const a = node.attribute?.find((x) => x.name === "value" || x.name === "value_float" || x.name === "value_floats");
    if (!a) return;
    const halved =
      a.name === "value" && a.t
        ? float16Tensor("", dimsOf(a.t), readFloats(a.t))
        : a.name === "value_float"
          ? float16Tensor("", [], [a.f ?? 0])
          : float16Tensor("", [(a.floats ?? []).length], a.floats ?? []);
    node.attribute = (node.attribute ?? []).filter((x) => x !== a);
    setAttribute(node, tensorAttr("value", halved));
  }
}

function count(node: onnx.INodeProto, mode: Mode, kept: boolean, report: Fp16Report): void {
  const op = node.opType ?? "";
  if (isFollowConsumers(node)) return;
  if (mode === "fp16") report.float16Nodes[op] = (report.float16Nodes[op] ?? 0) + 1;
  if (mode === "fp32" && kept) {
    const reason = CPU_OPS_WITHOUT_FP16_KERNEL.includes(op) ? NO_FP16_KERNEL_REASON : "kept in float32 on request";
    (report.keptInFloat32[op] ??= { nodes: 0, reason }).nodes++;
  }
}
