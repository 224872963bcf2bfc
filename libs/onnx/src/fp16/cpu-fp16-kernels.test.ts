import * as ort from "onnxruntime-node";
import { onnx } from "onnx-proto";
import { describe, expect, it } from "vitest";
import { makeNode, tensorValueInfo } from "../model/graph";
import { writeModel } from "../model/model-io";
import { DataType, floatTensor, int64Tensor } from "../model/tensor-data";
import { float, int, ints, str } from "../test-support/graph-builder.test-helper";
import { optimizedOps } from "../test-support/ort.test-helper";
import { CPU_OPS_WITHOUT_FP16_KERNEL } from "./cpu-fp16-kernels";

interface Probe {
  inputs: [string, number[]][];
  constants?: onnx.ITensorProto[];
  order?: string[];
  attributes?: onnx.IAttributeProto[];
}

/** One node of each float op our trainer's UNet export uses (torch 1.13, opset 17), on float16 inputs. */
const UNET_OPS: Record<string, Probe> = {
  Add: { inputs: [["a", [2, 4]], ["b", [2, 4]]] },
  Mul: { inputs: [["a", [2, 4]], ["b", [2, 4]]] },
  Div: { inputs: [["a", [2, 4]], ["b", [2, 4]]] },
  Pow: { inputs: [["a", [2, 4]], ["b", [2, 4]]] },
  Sigmoid: { inputs: [["a", [2, 4]]] },
  Cos: { inputs: [["a", [2, 4]]] },
  Sin: { inputs: [["a", [2, 4]]] },
  Erf: { inputs: [["a", [2, 4]]] },
  Softmax: { inputs: [["a", [2, 4]]], attributes: [int("axis", -1)] },
  MatMul: { inputs: [["a", [2, 4]], ["b", [4, 3]]] },
  Gemm: { inputs: [["a", [2, 4]], ["b", [3, 4]], ["c", [3]]], attributes: [int("transB", 1)] },
  Conv: { inputs: [["a", [1, 2, 4, 4]], ["b", [3, 2, 3, 3]], ["c", [3]]], attributes: [ints("pads", [1, 1, 1, 1])] },
  InstanceNormalization: { inputs: [["a", [1, 2, 4]], ["b", [2]], ["c", [2]]] },
  LayerNormalization: { inputs: [["a", [2, 4]], ["b", [4]], ["c", [4]]], attributes: [int("axis", -1), float("epsilon", 1e-5)] },
  Resize: { inputs: [["a", [1, 1, 2, 2]]], constants: [floatTensor("scales", [4], [1, 1, 2, 2])], order: ["a", "", "scales"], attributes: [str("mode", "nearest")] },
  Transpose: { inputs: [["a", [2, 4]]], attributes: [ints("perm", [1, 0])] },
  Concat: { inputs: [["a", [2, 4]], ["b", [2, 4]]], attributes: [int("axis", 0)] },
  Reshape: { inputs: [["a", [2, 4]]], constants: [int64Tensor("shape", [1], [8])] },
  Unsqueeze: { inputs: [["a", [2, 4]]], constants: [int64Tensor("axes", [1], [0])] },
  Slice: { inputs: [["a", [2, 4]]], constants: [int64Tensor("starts", [1], [0]), int64Tensor("ends", [1], [1]), int64Tensor("axes", [1], [0])] },
  Gather: { inputs: [["a", [5, 4]]], constants: [int64Tensor("indices", [2], [0, 2])] },
};

/** Whether onnxruntime had to wrap the float16 node in Casts to float32 (no float16 kernel). */
async function lacksFloat16Kernel(op: string, probe: Probe): Promise<boolean> {
  const constants = probe.constants ?? [];
  const inputs = probe.order ?? [...probe.inputs.map(([name]) => name), ...constants.map((c) => c.name ?? "")];
  const model = onnx.ModelProto.create({
    irVersion: 8,
    opsetImport: [{ domain: "", version: 17 }],
    graph: {
      name: op,
      node: [makeNode(op, inputs, ["y"], op, probe.attributes ?? [])],
      input: probe.inputs.map(([name, shape]) => tensorValueInfo(name, DataType.FLOAT16, shape)),
      initializer: constants,
      output: [tensorValueInfo("y", DataType.FLOAT16)],
    },
  });
  const bytes = writeModel(model);
  // It runs either way: onnxruntime inserts the Casts itself.
  const session = await ort.InferenceSession.create(bytes, { executionProviders: ["cpu"] });
  await session.release();
  return (await optimizedOps(bytes, "basic")).Cast !== undefined;
}

describe("float16 kernels of onnxruntime-node's CPU execution provider", () => {
  it("are missing for exactly the UNet ops listed in CPU_OPS_WITHOUT_FP16_KERNEL", async () => {
    const lacking: string[] = [];
    for (const [op, probe] of Object.entries(UNET_OPS)) if (await lacksFloat16Kernel(op, probe)) lacking.push(op);
    expect(lacking.sort()).toEqual(Object.keys(UNET_OPS).filter((op) => CPU_OPS_WITHOUT_FP16_KERNEL.includes(op)).sort());
    // What that means for a UNet: all of its compute, LayerNormalization apart.
    expect(lacking.sort()).toEqual(["Add", "Conv", "Cos", "Div", "Erf", "Gemm", "InstanceNormalization", "MatMul", "Mul", "Pow", "Resize", "Sigmoid", "Sin", "Softmax"]);
  });
});
