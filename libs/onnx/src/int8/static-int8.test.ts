import * as ort from "onnxruntime-node";
import { describe, expect, it } from "vitest";
import { compareOutputs } from "../compare-outputs";
import { attribute, intAttribute } from "../model/graph";
import { inspectModel } from "../model/inspect-model";
import { writeModel } from "../model/model-io";
import { DataType, dimsOf, readFloats, readIntegers } from "../model/tensor-data";
import type { Feeds } from "../runtime/session";
import { graphOf, GraphBuilder, int } from "../test-support/graph-builder.test-helper";
import { calibrationFeeds, convChain, fanOut, imageFeeds } from "../test-support/models.test-helper";
import { optimizedOps, runModel, writeTemp } from "../test-support/ort.test-helper";
import { checkModels, itWithPythonOnnx } from "../test-support/python-onnx.test-helper";
import { quantizeStaticInt8WithReport } from "./static-int8";

const minmax = (count = 4) => ({ method: "minmax" as const, feeds: calibrationFeeds(count) });
const initializer = (model: ReturnType<typeof convChain>, name: string) => graphOf(model).initializer.find((t) => t.name === name)!;

describe("quantizeStaticInt8", () => {
  it("writes S8S8 QDQ: per-channel symmetric int8 weights, int32 biases, int8 activations with calibrated ranges", async () => {
    const source = convChain();
    const { model, report } = await quantizeStaticInt8WithReport(source, minmax());
    expect(report).toMatchObject({ format: "QDQ", method: "minmax", calibrationBatches: 4, calibratedTensors: 8, quantizedNodes: { Conv: 2, MatMul: 1, Gemm: 1 }, keptInFloat32: {} });
    const nodes = graphOf(model).node;
    const dequantize = nodes.filter((n) => n.opType === "DequantizeLinear");
    // 4 weights + 3 biases (Conv, Conv, Gemm) per channel; 8 activations per tensor.
    expect(dequantize.filter((n) => attribute(n, "axis")).length).toBe(7);
    expect(dequantize.length).toBe(15);
    expect(nodes.filter((n) => n.opType === "QuantizeLinear").length).toBe(8);

    // The first Conv's weight: int8 in [-64, 64] per output channel, each channel reaching 64.
    const weightDq = nodes.find((n) => n.opType === "Conv")!.input[1]!;
    const dq = nodes.find((n) => n.output[0] === weightDq)!;
    const [q, scales, zeroPoints] = dq.input.map((name) => initializer(model, name));
    expect([q!.dataType, scales!.dataType, zeroPoints!.dataType]).toEqual([DataType.INT8, DataType.FLOAT, DataType.INT8]);
    expect(intAttribute(dq, "axis", -1)).toBe(0);
    const values = readIntegers(q!);
    const original = readFloats(initializer(source, "w_0"));
    const scale = readFloats(scales!);
    for (let channel = 0; channel < 8; channel++) {
      const slice = values.slice(channel * 27, (channel + 1) * 27);
      expect(Math.max(...slice.map(Math.abs))).toBe(64);
      for (let i = 0; i < 27; i++) expect(Math.abs(slice[i]! * scale[channel]! - original[channel * 27 + i]!)).toBeLessThanOrEqual(scale[channel]! / 2 + 1e-7);
    }
    expect(readIntegers(zeroPoints!)).toEqual(new Array(8).fill(0));
    // Gemm: transB weight [10, 32] per row (axis 0), alpha 0.5 folded into it, beta 2 into the int32 bias.
    const gemm = nodes.find((n) => n.opType === "Gemm")!;
    expect(gemm.attribute.map((a) => a.name)).toEqual(["transB"]);
    const biasDq = nodes.find((n) => n.output[0] === gemm.input[2])!;
    expect(initializer(model, biasDq.input[0]!).dataType).toBe(DataType.INT32);
    expect(dimsOf(initializer(model, biasDq.input[1]!))).toEqual([10]);
  });

  it("takes the activation range of the calibration feeds (an async generator will do)", async () => {
    const g = new GraphBuilder(2);
    g.rename(g.conv(g.input("x", ["batch", 3, 8, 8]), 3, 4), "y");
    async function* uniform(): AsyncGenerator<Feeds> {
      for (let seed = 0; seed < 3; seed++) {
        const data = Float32Array.from({ length: 2 * 3 * 64 }, (_, i) => -1 + (4 * ((i * 37 + seed) % 101)) / 100); // [-1, 3]
        yield { x: new ort.Tensor("float32", data, [2, 3, 8, 8]) };
      }
    }
    const { model } = await quantizeStaticInt8WithReport(g.output("y").build(), { method: "minmax", feeds: uniform() });
    const quantizeX = graphOf(model).node.find((n) => n.opType === "QuantizeLinear" && n.input[0] === "x")!;
    expect(readFloats(initializer(model, quantizeX.input[1]!))[0]).toBe(Math.fround(4 / 255));
    expect(readIntegers(initializer(model, quantizeX.input[2]!))).toEqual([-64]); // round(-128 + 1 / (4/255)) = round(-64.25)
  });

  it("stays within 6% of float32 (minmax and percentile; measured 2.6% and 2.5%) and onnxruntime fuses every Conv, MatMul and Gemm of a chain", async () => {
    const source = writeModel(convChain());
    const heldOut = [imageFeeds(1), imageFeeds(2), imageFeeds(3)];
    for (const calibration of [minmax(), { method: "percentile" as const, percentile: 99.99, feeds: calibrationFeeds(4) }]) {
      const quantized = writeModel((await quantizeStaticInt8WithReport(convChain(), calibration)).model);
      const [error] = await compareOutputs(source, quantized, heldOut);
      expect(error!.relativeRmse, calibration.method).toBeLessThan(0.06);
    }
    const ops = await optimizedOps(writeModel((await quantizeStaticInt8WithReport(convChain(), minmax())).model));
    expect((ops.QLinearConv ?? 0) + (ops["com.microsoft.QLinearConv"] ?? 0)).toBe(2);
    expect(ops.QLinearMatMul).toBe(1);
    expect(ops["com.microsoft.QGemm"]).toBe(1);
    for (const op of ["Conv", "MatMul", "Gemm", "com.microsoft.nchwc.Conv"]) expect(ops[op], op).toBeUndefined();
  });

  it("gives the same answer fused and unfused (7-bit weights: no int16 saturation in u8 x s8 kernels)", async () => {
    const quantized = writeModel((await quantizeStaticInt8WithReport(fanOut(), minmax(), { activations: "uint8" })).model);
    const feeds = imageFeeds(9, 8);
    const fused = await runModel(quantized, feeds);
    const session = await ort.InferenceSession.create(quantized, { executionProviders: ["cpu"], graphOptimizationLevel: "disabled" });
    const reference = await session.run(feeds);
    for (const name of ["y", "z", "outer"]) {
      const want = reference[name]!.data as Float32Array;
      const rms = Math.sqrt(want.reduce((s, v) => s + v * v, 0) / want.length);
      const rmse = Math.sqrt(fused[name]!.reduce((s, v, i) => s + (v - want[i]!) ** 2, 0) / want.length);
      expect(rmse / rms, name).toBeLessThan(0.01);
    }
    // uint8 activations fuse even where tensors fan out (see StaticInt8Options.activations).
    const ops = await optimizedOps(quantized);
    expect((ops.QLinearConv ?? 0) + (ops["com.microsoft.QLinearConv"] ?? 0)).toBe(2);
    expect((ops.QLinearMatMul ?? 0) + (ops["com.microsoft.QGemm"] ?? 0)).toBe(4);
  });

  it("quantizes activation x activation MatMuls per tensor on both sides and reports what it cannot quantize", async () => {
    const { model, report } = await quantizeStaticInt8WithReport(fanOut(), minmax());
    expect(report.quantizedNodes).toEqual({ Conv: 2, MatMul: 2, Gemm: 2 });
    const outer = graphOf(model).node.filter((n) => n.opType === "MatMul").find((n) => n.output[0]!.startsWith("outer"))!;
    expect(outer.input.map((name) => graphOf(model).node.find((n) => n.output[0] === name)?.opType)).toEqual(["DequantizeLinear", "DequantizeLinear"]);
    // Measured: y 2.8%, z 3.4%, outer 4.5% (the outer product of two quantized activations).
    for (const error of await compareOutputs(writeModel(fanOut()), writeModel(model), [imageFeeds(5)])) expect(error.relativeRmse, error.output).toBeLessThan(0.09);

    const g = new GraphBuilder(4);
    const x = g.input("x", ["batch", 8]);
    const computedBias = g.node("Relu", [g.weight([8])]);
    const h = g.node("Gemm", [x, g.weight([8, 8]), computedBias], [int("transB", 1)]);
    g.rename(g.matmul(h, 8, 4), "y");
    const kept = await quantizeStaticInt8WithReport(g.output("y").build(), { method: "minmax", feeds: [{ x: new ort.Tensor("float32", new Float32Array(8).fill(1), [1, 8]) }] });
    expect(kept.report.quantizedNodes).toEqual({ MatMul: 1 });
    expect(kept.report.keptInFloat32).toEqual({ Gemm: { nodes: 1, reason: "the bias is computed, not an initializer" } });
  });

  it("fails with CALIBRATION_FAILED on empty or unusable feeds and UNSUPPORTED_MODEL before opset 13", async () => {
    await expect(quantizeStaticInt8WithReport(convChain(), { method: "minmax", feeds: [] })).rejects.toMatchObject({ code: "CALIBRATION_FAILED" });
    await expect(quantizeStaticInt8WithReport(convChain(), { method: "minmax", feeds: [{ wrong: imageFeeds(1).x! }] })).rejects.toMatchObject({ code: "CALIBRATION_FAILED" });
    await expect(quantizeStaticInt8WithReport(convChain(), { method: "percentile", percentile: 20, feeds: [] })).rejects.toMatchObject({ code: "INVALID_ARGUMENT" });
    const old = convChain();
    old.opsetImport[0]!.version = 12;
    await expect(quantizeStaticInt8WithReport(old, minmax())).rejects.toMatchObject({ code: "UNSUPPORTED_MODEL" });
  });

  itWithPythonOnnx("passes onnx.checker's full check", async () => {
    const { paths, cleanup } = writeTemp({
      chain: writeModel((await quantizeStaticInt8WithReport(convChain(), minmax())).model),
      fanOut: writeModel((await quantizeStaticInt8WithReport(fanOut(), minmax(), { activations: "uint8", reduceRange: false })).model),
    });
    try {
      expect(checkModels(paths)).toEqual(["", ""]);
    } finally {
      cleanup();
    }
    expect(inspectModel((await quantizeStaticInt8WithReport(convChain(), minmax())).model).precision).toBe("INT8");
  });
});
