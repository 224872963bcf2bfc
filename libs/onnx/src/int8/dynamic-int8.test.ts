import { describe, expect, it } from "vitest";
import { compareOutputs } from "../compare-outputs";
import { inspectModel } from "../model/inspect-model";
import { writeModel } from "../model/model-io";
import { DataType } from "../model/tensor-data";
import { calibrationFeeds, fanOut } from "../test-support/models.test-helper";
import { optimizedOps, writeTemp } from "../test-support/ort.test-helper";
import { checkModels, itWithPythonOnnx } from "../test-support/python-onnx.test-helper";
import { quantizeDynamicInt8WithReport } from "./dynamic-int8";
import { graphOf } from "../test-support/graph-builder.test-helper";

describe("quantizeDynamicInt8", () => {
  it("turns MatMul/Gemm with constant weights into DynamicQuantizeLinear + MatMulInteger with uint8 weights", () => {
    const { model, report } = quantizeDynamicInt8WithReport(fanOut());
    const ops = inspectModel(model).opHistogram;
    expect(ops).toMatchObject({ DynamicQuantizeLinear: 2, MatMulInteger: 3, Conv: 2, MatMul: 1 });
    expect(ops.Gemm).toBeUndefined();
    expect(report.quantizedNodes).toEqual({ MatMul: 1, Gemm: 2 });
    expect(report.keptInFloat32).toEqual({
      Conv: { nodes: 2, reason: "dynamic quantization covers MatMul and Gemm only" },
      MatMul: { nodes: 1, reason: "both inputs are activations: no weight to quantize offline" },
    });
    // One DynamicQuantizeLinear for m, shared by both Gemms.
    const weights = graphOf(model).initializer.filter((t) => t.dataType === DataType.UINT8 && t.dims.length === 2);
    expect(weights.map((t) => t.dims.map(Number))).toEqual([[512, 16], [16, 10], [16, 6]]);
  });

  it("runs in onnxruntime, which fuses it, within 4% of float32 (measured 0.95%, 1.2%, 1.3%)", async () => {
    const source = fanOut();
    const quantized = writeModel(quantizeDynamicInt8WithReport(source).model);
    const errors = await compareOutputs(writeModel(source), quantized, calibrationFeeds(3));
    for (const error of errors) expect(error.relativeRmse, error.output).toBeLessThan(0.04);
    const ops = await optimizedOps(quantized);
    expect((ops["com.microsoft.DynamicQuantizeMatMul"] ?? 0) + (ops["com.microsoft.MatMulIntegerToFloat"] ?? 0)).toBe(3);
  });

  itWithPythonOnnx("passes onnx.checker's full check", () => {
    const { paths, cleanup } = writeTemp({ dynamic: writeModel(quantizeDynamicInt8WithReport(fanOut()).model) });
    try {
      expect(checkModels(paths)).toEqual([""]);
    } finally {
      cleanup();
    }
  });
});
