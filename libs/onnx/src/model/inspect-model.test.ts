import { describe, expect, it } from "vitest";
import { float16Tensor, int8Tensor } from "./tensor-data";
import { graphOf, GraphBuilder, int } from "../test-support/graph-builder.test-helper";
import { inspectModel } from "./inspect-model";

/** x [batch, 3, 8, 8] -> Conv 3->4 -> Relu -> Conv 4->4 (+ skip Add) -> Flatten -> MatMul 256x16 -> Gemm 16->10 -> y. */
function model() {
  const g = new GraphBuilder(5);
  const x = g.input("x", ["batch", 3, 8, 8]);
  const h = g.relu(g.conv(x, 3, 4));
  const skip = g.add(g.conv(h, 4, 4), h);
  const flat = g.node("Flatten", [skip], [int("axis", 1)]);
  g.rename(g.gemm(g.matmul(flat, 256, 16), 16, 10), "y");
  return g.output("y", ["batch", 10]).build({ metadata: { unet_config: '{"channels":[4]}', family: "unet" } });
}

describe("inspectModel", () => {
  it("counts parameters, initializers and ops, and describes inputs, outputs and metadata", () => {
    const inspection = inspectModel(model());
    const params = 4 * 3 * 9 + 4 + (4 * 4 * 9 + 4) + 256 * 16 + (10 * 16 + 10);
    expect(inspection).toEqual({
      irVersion: 8,
      opset: 17,
      producer: "graph-builder 1",
      graphName: "test-graph",
      params,
      initializerBytes: params * 4,
      initializerCount: 7,
      nodeCount: 7,
      precision: "FP32",
      opHistogram: { Conv: 2, Add: 1, Flatten: 1, Gemm: 1, MatMul: 1, Relu: 1 },
      inputs: [{ name: "x", elementType: "float32", shape: ["batch", 3, 8, 8] }],
      outputs: [{ name: "y", elementType: "float32", shape: ["batch", 10] }],
      metadata: { unet_config: '{"channels":[4]}', family: "unet" },
    });
    expect(Object.keys(inspection.opHistogram)[0]).toBe("Conv");
  });

  it("prefixes ops outside ai.onnx with their domain and reads precision from the weights", () => {
    const m = model();
    graphOf(m).node[0]!.domain = "com.microsoft";
    const initializers = graphOf(m).initializer;
    expect(inspectModel(m).opHistogram["com.microsoft.Conv"]).toBe(1);

    // float16 weights outnumbering float32 ones: FP16.
    initializers[4] = float16Tensor(initializers[4]!.name, [256, 16], new Float32Array(256 * 16));
    expect(inspectModel(m).precision).toBe("FP16");
    // Any int8 weight tensor: INT8 (a lone int8 zero point does not count).
    initializers.push(int8Tensor("zero_point", [], [0]));
    expect(inspectModel(m).precision).toBe("FP16");
    initializers.push(int8Tensor("w_q", [4, 2], new Int8Array(8)));
    expect(inspectModel(m).precision).toBe("INT8");
    expect(inspectModel(m).initializerBytes).toBe(inspectModel(model()).initializerBytes - 256 * 16 * 2 + 1 + 8);
  });
});
