// Small ONNX graphs for tests, with seeded random weights.
import { onnx } from "onnx-proto";
import { AttributeType, makeNode, tensorValueInfo } from "../model/graph";
import { DataType, floatTensor, int64Tensor } from "../model/tensor-data";
import { normals } from "./random.test-helper";

type Attribute = onnx.IAttributeProto;
export const ints = (name: string, values: number[]): Attribute => ({ name, type: AttributeType.INTS, ints: values });
export const int = (name: string, value: number): Attribute => ({ name, type: AttributeType.INT, i: value });
export const float = (name: string, value: number): Attribute => ({ name, type: AttributeType.FLOAT, f: value });
export const str = (name: string, value: string): Attribute => ({ name, type: AttributeType.STRING, s: new TextEncoder().encode(value) });
export const tensor = (name: string, value: onnx.ITensorProto): Attribute => ({ name, type: AttributeType.TENSOR, t: value });

export class GraphBuilder {
  private readonly nodes: onnx.INodeProto[] = [];
  private readonly initializers: onnx.ITensorProto[] = [];
  private readonly inputs: onnx.IValueInfoProto[] = [];
  private readonly outputs: onnx.IValueInfoProto[] = [];
  private count = 0;
  private seed: number;

  constructor(seed = 1) {
    this.seed = seed;
  }

  private fresh(base: string): string {
    return `${base}_${this.count++}`;
  }

  input(name: string, shape: (number | string)[], elemType: number = DataType.FLOAT): string {
    this.inputs.push(tensorValueInfo(name, elemType, shape));
    return name;
  }

  output(name: string, shape?: (number | string)[], elemType: number = DataType.FLOAT): this {
    this.outputs.push(tensorValueInfo(name, elemType, shape));
    return this;
  }

  /** A float32 initializer of N(0, std) values. */
  weight(dims: number[], std = 0.3, base = "w"): string {
    const name = this.fresh(base);
    this.initializers.push(floatTensor(name, dims, normals(dims.reduce((a, b) => a * b, 1), this.seed++, std)));
    return name;
  }

  initializer(value: onnx.ITensorProto): string {
    this.initializers.push(value);
    return value.name ?? "";
  }

  int64s(values: number[]): string {
    return this.initializer(int64Tensor(this.fresh("i64"), [values.length], values));
  }

  node(opType: string, inputs: string[], attributes: Attribute[] = [], outputCount = 1, domain = ""): string {
    const outputs = Array.from({ length: outputCount }, () => this.fresh(opType.toLowerCase()));
    this.nodes.push(makeNode(opType, inputs, outputs, this.fresh(opType), attributes, domain));
    return outputs[0]!;
  }

  /** Names the last produced tensor `name` (so that it can be a graph output). */
  rename(tensor: string, name: string): string {
    for (const node of this.nodes) node.output = (node.output ?? []).map((t) => (t === tensor ? name : t));
    for (const node of this.nodes) node.input = (node.input ?? []).map((t) => (t === tensor ? name : t));
    return name;
  }

  conv(x: string, inChannels: number, outChannels: number, kernel = 3, stride = 1): string {
    const pad = Math.floor(kernel / 2);
    const w = this.weight([outChannels, inChannels, kernel, kernel], Math.sqrt(2 / (inChannels * kernel * kernel)));
    const b = this.weight([outChannels], 0.1, "b");
    return this.node("Conv", [x, w, b], [ints("kernel_shape", [kernel, kernel]), ints("pads", [pad, pad, pad, pad]), ints("strides", [stride, stride])]);
  }

  relu(x: string): string {
    return this.node("Relu", [x]);
  }

  add(a: string, b: string): string {
    return this.node("Add", [a, b]);
  }

  matmul(x: string, k: number, n: number): string {
    return this.node("MatMul", [x, this.weight([k, n], 1 / Math.sqrt(k))]);
  }

  gemm(x: string, k: number, n: number, options: { transB?: boolean; alpha?: number; beta?: number } = {}): string {
    const transB = options.transB ?? true;
    const w = this.weight(transB ? [n, k] : [k, n], 1 / Math.sqrt(k));
    const attributes = [int("transB", transB ? 1 : 0), ...(options.alpha !== undefined ? [float("alpha", options.alpha)] : []), ...(options.beta !== undefined ? [float("beta", options.beta)] : [])];
    return this.node("Gemm", [x, w, this.weight([n], 0.1, "b")], attributes);
  }

  build(options: { opset?: number; metadata?: Record<string, string>; irVersion?: number } = {}): onnx.ModelProto {
    return onnx.ModelProto.create({
      irVersion: options.irVersion ?? 8,
      producerName: "graph-builder",
      producerVersion: "1",
      opsetImport: [{ domain: "", version: options.opset ?? 17 }],
      metadataProps: Object.entries(options.metadata ?? {}).map(([key, value]) => ({ key, value })),
      graph: { name: "test-graph", node: this.nodes, initializer: this.initializers, input: this.inputs, output: this.outputs },
    });
  }
}

/** The graph of a built or decoded model, typed as the decoded classes (every repeated field present). */
export function graphOf(model: onnx.IModelProto): { node: onnx.NodeProto[]; initializer: onnx.TensorProto[]; input: onnx.ValueInfoProto[]; output: onnx.ValueInfoProto[] } {
  return model.graph as never;
}
