import * as ort from "onnxruntime-node";
import { onnx } from "onnx-proto";
import { describe, expect, it } from "vitest";
import { compareOutputs } from "../compare-outputs";
import { attribute, intAttribute } from "../model/graph";
import { writeModel } from "../model/model-io";
import { DataType, floatTensor, readFloats, readIntegers } from "../model/tensor-data";
import { graphOf, float, GraphBuilder, int, ints, str, tensor } from "../test-support/graph-builder.test-helper";
import { floatInput, runModel, writeTemp } from "../test-support/ort.test-helper";
import { checkModels, itWithPythonOnnx } from "../test-support/python-onnx.test-helper";
import { convertToFp16WithReport } from "./convert-to-fp16";

/**
 * The kinds of nodes a UNet export has: Conv + SiLU, a nearest Resize with float scales,
 * Reshape/Transpose by int64 shapes, LayerNormalization, MatMul, a float Constant and a
 * ConstantOfShape, and a timestep embedding (int64 -> Cast -> Mul by constant frequencies -> Sin).
 */
function unetLike(): onnx.ModelProto {
  const g = new GraphBuilder(11);
  const x = g.input("x", ["batch", 4, 8, 8]);
  const t = g.input("t", ["batch"], DataType.INT64);
  let h = g.conv(x, 4, 8);
  h = g.node("Mul", [h, g.node("Sigmoid", [h])]);
  const scales = g.initializer(floatTensor("resize_scales", [4], [1, 1, 2, 2]));
  h = g.node("Resize", [h, "", scales], [str("mode", "nearest")]);
  h = g.node("Reshape", [h, g.int64s([0, 8, 256])]);
  h = g.node("Transpose", [h], [ints("perm", [0, 2, 1])]);
  // LayerNormalization has a CPU float16 kernel: its output is float16, read by a float32 MatMul and a graph output.
  h = g.rename(g.node("LayerNormalization", [h, g.weight([8], 0.2, "gamma"), g.weight([8], 0.2, "beta")], [int("axis", -1), float("epsilon", 1e-5)]), "ln");
  h = g.matmul(h, 8, 8);
  h = g.node("Mul", [h, g.node("Constant", [], [tensor("value", floatTensor("", [], [0.5]))])]);
  const zeros = g.node("ConstantOfShape", [g.node("Shape", [h])], [tensor("value", floatTensor("", [1], [0.25]))]);
  g.rename(g.add(h, zeros), "y");

  const frequencies = g.node("Constant", [], [tensor("value", floatTensor("", [1, 8], Array.from({ length: 8 }, (_, i) => Math.exp(-i))))]);
  const time = g.node("Unsqueeze", [g.node("Cast", [t], [int("to", DataType.FLOAT)]), g.int64s([1])]);
  const embedding = g.node("Sin", [g.node("Mul", [time, frequencies])]);
  g.rename(g.add(g.gemm(embedding, 8, 8), embedding), "z");
  return g.output("y", ["batch", 256, 8]).output("z", ["batch", 8]).output("ln", ["batch", 256, 8]).build();
}

const feeds = (seed: number) => ({
  x: floatInput([2, 4, 8, 8], seed),
  t: new ort.Tensor("int64", BigInt64Array.from([3n, 997n]), [2]),
});

const typeOf = (model: onnx.IModelProto, name: string) => graphOf(model).initializer?.find((t) => t.name === name)?.dataType;
const castTarget = (model: onnx.IModelProto) => intAttribute(graphOf(model).node!.find((n) => n.opType === "Cast" && n.input?.[0] === "t")!, "to", 0);
const constants = (model: onnx.IModelProto) => (graphOf(model).node ?? []).filter((n) => n.opType === "Constant" || n.opType === "ConstantOfShape").map((n) => attribute(n, "value")?.t?.dataType);

describe("convertToFp16", () => {
  it("stores weights in float16, keeps the ops without CPU float16 kernels in float32 and the graph's inputs and outputs float32", async () => {
    const source = unetLike();
    const { model, report } = convertToFp16WithReport(source);
    const graph = graphOf(model);
    expect(graph.input.map((v) => v.type?.tensorType?.elemType)).toEqual([DataType.FLOAT, DataType.INT64]);
    expect(graph.output.map((v) => v.type?.tensorType?.elemType)).toEqual([DataType.FLOAT, DataType.FLOAT, DataType.FLOAT]);
    // ln is computed in float16 (ln_fp16); one Cast makes both the graph output and the MatMul's input.
    expect(graph.node.find((n) => n.opType === "Cast" && n.output[0] === "ln")?.input).toEqual(["ln_fp16"]);
    expect(graph.node.find((n) => n.opType === "MatMul")?.input[0]).toBe("ln");
    // Weights float16; Resize scales float32 (a float32-only input); int64 shapes untouched.
    const floatInitializers = graph.initializer.filter((t) => t.dataType !== DataType.INT64);
    expect(floatInitializers.filter((t) => t.dataType === DataType.FLOAT).map((t) => t.name)).toEqual(["resize_scales"]);
    expect(readFloats(graph.initializer.find((t) => t.name === "resize_scales")!)).toEqual(Float32Array.from([1, 1, 2, 2]));
    const int64s = (m: onnx.IModelProto) => graphOf(m).initializer!.filter((t) => t.dataType === DataType.INT64).map((t) => [t.name, readIntegers(t)]);
    expect(int64s(model)).toEqual(int64s(source));
    // The constants feed float32 ops (Mul, Add): kept exact in float32, not rounded to float16.
    expect(constants(model)).toEqual([DataType.FLOAT, DataType.FLOAT, DataType.FLOAT]);
    expect(castTarget(model)).toBe(DataType.FLOAT);
    expect(report.float16Nodes).toEqual({ LayerNormalization: 1 }); // Reshape and Transpose follow their float32 input
    expect(Object.keys(report.keptInFloat32).sort()).toEqual(["Add", "Conv", "Gemm", "MatMul", "Mul", "Resize", "Sigmoid", "Sin"]);
    expect(report.keptInFloat32.Mul).toEqual({ nodes: 3, reason: expect.stringMatching(/no float16 kernel/) as unknown });
    expect(report.initializersConverted).toBe(floatInitializers.length - 1);

    // Measured: y 9.7e-5, z 1.9e-4 relative rms; z max |error| 3.2e-4.
    const [errorY, errorZ, errorLn] = await compareOutputs(writeModel(source), writeModel(model), [feeds(1), feeds(2)]);
    expect(errorY!.relativeRmse).toBeLessThan(2e-3);
    expect(errorLn!.relativeRmse).toBeLessThan(2e-3);
    expect(errorZ!.relativeRmse).toBeLessThan(2e-3);
    // The timestep embedding stayed in float32: t = 997 against exact frequencies.
    expect(errorZ!.maxAbs).toBeLessThan(5e-3);
  });

  it("with nothing kept in float32 computes everything in float16, constants and Cast targets included", async () => {
    const source = unetLike();
    const { model, report } = convertToFp16WithReport(source, { keepInFloat32: [] });
    expect(report.keptInFloat32).toEqual({});
    expect(constants(model)).toEqual([DataType.FLOAT16, DataType.FLOAT16, DataType.FLOAT16]);
    expect(castTarget(model)).toBe(DataType.FLOAT16);
    expect(typeOf(model, "resize_scales")).toBe(DataType.FLOAT);
    // Casts only at the edges: x in, y, z and ln out.
    const casts = graphOf(model).node.filter((n) => n.opType === "Cast" && n.input[0] !== "t");
    expect(casts.map((n) => (n.input[0] === "x" ? "x" : n.output[0])).sort()).toEqual(["ln", "x", "y", "z"]);
    expect((await runModel(writeModel(model), feeds(3))).y).toBeInstanceOf(Float32Array);
    // Measured: y 1.0e-4, but z 2.8e-2: t * frequency computed in float16 is off by up to
    // 0.125 rad at t = 997, which is why constants follow their readers rather than turn float16.
    const [errorY, errorZ] = await compareOutputs(writeModel(source), writeModel(model), [feeds(3)]);
    expect(errorY!.relativeRmse).toBeLessThan(2e-3);
    expect(errorZ!.relativeRmse).toBeLessThan(0.1);
  });

  itWithPythonOnnx("passes onnx.checker's full check, both ways", () => {
    const source = unetLike();
    const { paths, cleanup } = writeTemp({
      kept: writeModel(convertToFp16WithReport(source).model),
      all: writeModel(convertToFp16WithReport(source, { keepInFloat32: [] }).model),
    });
    try {
      expect(checkModels(paths)).toEqual(["", ""]);
    } finally {
      cleanup();
    }
  });
});
