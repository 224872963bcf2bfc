import { describe, expect, it } from "vitest";
import { compareOutputs } from "./compare-outputs";
import { readModel, writeModel } from "./model/model-io";
import { DataType, floatTensor, readFloats } from "./model/tensor-data";
import { QUANTIZATION_METADATA_KEY, quantize } from "./quantize";
import { calibrationFeeds, convChain, imageFeeds } from "./test-support/models.test-helper";
import { graphOf } from "./test-support/graph-builder.test-helper";

const source = () => writeModel(convChain());
const heldOut = [imageFeeds(1), imageFeeds(2)];

describe("quantize", () => {
  it("keeps the source's metadata, opset and IR version, and records what it did", async () => {
    for (const precision of ["fp16", "int8-dynamic", "int8-static"] as const) {
      const result = await quantize(source(), { precision, calibration: { method: "percentile", feeds: calibrationFeeds(2) }, heldOut });
      const model = readModel(result.bytes);
      const metadata = result.inspection.metadata;
      expect(metadata.family).toBe("test");
      expect(JSON.parse(metadata[QUANTIZATION_METADATA_KEY]!)).toEqual(result.quantization);
      expect(result.quantization.precision).toBe(precision);
      expect([result.inspection.opset, result.inspection.irVersion, Number(model.irVersion)]).toEqual([17, 8, 8]);
      expect(result.inspection.precision).toBe(precision === "fp16" ? "FP16" : "INT8");
      expect(result.error?.map((e) => e.output)).toEqual(["y"]);
    }
    const staticResult = await quantize(source(), { precision: "int8-static", calibration: { method: "percentile", feeds: calibrationFeeds(2) } });
    expect(staticResult.quantization).toMatchObject({ method: "percentile", percentile: 99.99, calibrationBatches: 2, quantizedNodes: { Conv: 2, MatMul: 1, Gemm: 1 } });
    expect(staticResult.error).toBeUndefined();
  });

  it("refuses int8-static without calibration, models already quantized, and garbage", async () => {
    await expect(quantize(source(), { precision: "int8-static" })).rejects.toMatchObject({ code: "CALIBRATION_REQUIRED" });
    const fp16 = await quantize(source(), { precision: "fp16" });
    await expect(quantize(fp16.bytes, { precision: "int8-dynamic" })).rejects.toMatchObject({ code: "UNSUPPORTED_MODEL", message: expect.stringMatching(/already FP16/) as unknown });
    await expect(quantize(new Uint8Array([1, 2, 3]), { precision: "fp16" })).rejects.toMatchObject({ code: "INVALID_ONNX" });
  });
});

describe("compareOutputs", () => {
  it("reports zero error for the same model and a large one when a weight scale is off by 2x", async () => {
    const [same] = await compareOutputs(source(), source(), heldOut);
    expect(same).toEqual({ output: "y", maxAbs: 0, meanAbs: 0, rmse: 0, relativeRmse: 0 });

    // A broken quantizer: the first Conv's weight scales doubled. The bounds the tests use
    // (3% here, 8% on the trained UNet) must catch that.
    const result = await quantize(source(), { precision: "int8-static", calibration: { method: "minmax", feeds: calibrationFeeds(2) } });
    const broken = readModel(result.bytes);
    const scales = graphOf(broken).initializer.find((t) => t.name === "w_0_scale")!;
    expect(scales.dataType).toBe(DataType.FLOAT);
    Object.assign(scales, floatTensor(scales.name, [8], readFloats(scales).map((s) => 2 * s)));
    const [error] = await compareOutputs(source(), writeModel(broken), heldOut);
    expect(error!.relativeRmse).toBeGreaterThan(0.3);
  });

  it("pools errors over feeds as max, mean and root mean square, relative to the reference's rms", async () => {
    // The candidate is the source with its Gemm bias shifted by 0.5 / beta (beta = 2): every output + 0.5.
    const shifted = convChain();
    const biasName = graphOf(shifted).node.find((n) => n.opType === "Gemm")!.input[2];
    const bias = graphOf(shifted).initializer.find((t) => t.name === biasName)!;
    Object.assign(bias, floatTensor(bias.name, [10], readFloats(bias).map((b) => b + 0.25)));
    const [error] = await compareOutputs(source(), writeModel(shifted), heldOut);
    expect(error!.maxAbs).toBeCloseTo(0.5, 5);
    expect(error!.meanAbs).toBeCloseTo(0.5, 5);
    expect(error!.rmse).toBeCloseTo(0.5, 5);
    expect(error!.relativeRmse).toBeGreaterThan(0);
  });
});
