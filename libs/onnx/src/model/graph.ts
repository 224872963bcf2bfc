import { onnx } from "onnx-proto";
import { OnnxError } from "../onnx-error";
import { toNumber } from "./int64";

export const AttributeType = onnx.AttributeProto.AttributeType;

/** The opset of the default ("" or "ai.onnx") domain. */
export function defaultOpset(model: onnx.IModelProto): number {
  const entry = (model.opsetImport ?? []).find((o) => !o.domain || o.domain === "ai.onnx");
  return toNumber(entry?.version);
}

export function graphOf(model: onnx.IModelProto): onnx.IGraphProto {
  if (!model.graph) throw new OnnxError("INVALID_ONNX", "the model has no graph");
  return model.graph;
}

export interface Use {
  node: onnx.INodeProto;
  input: number;
}

/** Who produces and who reads each tensor of a graph (top level only). */
export class GraphIndex {
  readonly producer = new Map<string, onnx.INodeProto>();
  readonly consumers = new Map<string, Use[]>();
  readonly initializers = new Map<string, onnx.ITensorProto>();
  readonly graphInputs = new Set<string>();
  readonly graphOutputs = new Set<string>();

  constructor(graph: onnx.IGraphProto) {
    for (const init of graph.initializer ?? []) this.initializers.set(init.name ?? "", init);
    for (const input of graph.input ?? []) if (!this.initializers.has(input.name ?? "")) this.graphInputs.add(input.name ?? "");
    for (const output of graph.output ?? []) this.graphOutputs.add(output.name ?? "");
    for (const node of graph.node ?? []) {
      if ((node.attribute ?? []).some((a) => a.g || (a.graphs ?? []).length > 0)) {
        throw new OnnxError("UNSUPPORTED_MODEL", `node ${node.name ?? node.opType ?? ""} (${node.opType ?? ""}) has a subgraph; control flow is not supported`);
      }
      for (const output of node.output ?? []) if (output) this.producer.set(output, node);
      (node.input ?? []).forEach((name, input) => {
        if (!name) return;
        const uses = this.consumers.get(name) ?? [];
        uses.push({ node, input });
        this.consumers.set(name, uses);
      });
    }
  }

  usesOf(tensor: string): Use[] {
    return this.consumers.get(tensor) ?? [];
  }
}

/** Hands out tensor and node names that do not collide with any name already in the graph. */
export class NameAllocator {
  private readonly taken = new Set<string>();

  constructor(graph: onnx.IGraphProto) {
    for (const init of graph.initializer ?? []) this.taken.add(init.name ?? "");
    for (const value of [...(graph.input ?? []), ...(graph.output ?? []), ...(graph.valueInfo ?? [])]) this.taken.add(value.name ?? "");
    for (const node of graph.node ?? []) {
      this.taken.add(node.name ?? "");
      for (const name of [...(node.input ?? []), ...(node.output ?? [])]) this.taken.add(name);
    }
  }

  fresh(base: string): string {
    let name = base;
    for (let i = 1; this.taken.has(name); i++) name = `${base}_${i}`;
    this.taken.add(name);
    return name;
  }
}

export function attribute(node: onnx.INodeProto, name: string): onnx.IAttributeProto | undefined {
  return (node.attribute ?? []).find((a) => a.name === name);
}

export function intAttribute(node: onnx.INodeProto, name: string, fallback: number): number {
  const found = attribute(node, name);
  return found ? toNumber(found.i) : fallback;
}

export function floatAttribute(node: onnx.INodeProto, name: string, fallback: number): number {
  const found = attribute(node, name);
  return found ? (found.f ?? fallback) : fallback;
}

/** Replaces (or adds) an attribute by name. */
export function setAttribute(node: onnx.INodeProto, value: onnx.IAttributeProto): void {
  node.attribute = [...(node.attribute ?? []).filter((a) => a.name !== value.name), value];
}

export const intAttr = (name: string, i: number): onnx.IAttributeProto => ({ name, type: AttributeType.INT, i });
export const floatAttr = (name: string, f: number): onnx.IAttributeProto => ({ name, type: AttributeType.FLOAT, f });
export const intsAttr = (name: string, ints: number[]): onnx.IAttributeProto => ({ name, type: AttributeType.INTS, ints });
export const tensorAttr = (name: string, t: onnx.ITensorProto): onnx.IAttributeProto => ({ name, type: AttributeType.TENSOR, t });

export function makeNode(
  opType: string,
  inputs: string[],
  outputs: string[],
  name: string,
  attribute: onnx.IAttributeProto[] = [],
  domain = "",
): onnx.NodeProto {
  return onnx.NodeProto.create({ opType, input: inputs, output: outputs, name, attribute, domain });
}

export function tensorValueInfo(name: string, elemType: number, shape?: (number | string)[]): onnx.IValueInfoProto {
  const dims = shape?.map((d) => (typeof d === "number" ? { dimValue: d } : { dimParam: d }));
  return { name, type: { tensorType: { elemType, ...(dims ? { shape: { dim: dims } } : {}) } } };
}

/** The initializers still read by a node (or declared as graph inputs, IR < 4): float weights replaced by quantized ones drop out. */
export function keepReadInitializers(graph: onnx.IGraphProto): onnx.ITensorProto[] {
  const kept = new Set([...(graph.node ?? []).flatMap((n) => n.input ?? []), ...(graph.input ?? []).map((v) => v.name ?? "")]);
  return (graph.initializer ?? []).filter((t) => kept.has(t.name ?? ""));
}
