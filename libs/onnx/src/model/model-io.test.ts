import { onnx } from "onnx-proto";
import { describe, expect, it } from "vitest";
import { OnnxError } from "../onnx-error";
import { graphOf, GraphBuilder } from "../test-support/graph-builder.test-helper";
import { rng } from "../test-support/random.test-helper";
import { readModel, writeModel } from "./model-io";

const asObject = (model: onnx.IModelProto) => onnx.ModelProto.toObject(onnx.ModelProto.decode(writeModel(model)), { longs: String, bytes: String, defaults: false });

function model(): onnx.ModelProto {
  const g = new GraphBuilder(3);
  const x = g.input("x", ["batch", 3, 8, 8]);
  g.rename(g.relu(g.conv(x, 3, 4)), "y");
  return g.output("y", ["batch", 4, 8, 8]).build({ metadata: { unet_config: "{}" } });
}

function expectInvalid(bytes: Uint8Array): void {
  try {
    readModel(bytes);
  } catch (error) {
    expect(error).toBeInstanceOf(OnnxError);
    expect((error as OnnxError).code).toBe("INVALID_ONNX");
    expect((error as OnnxError).message).toMatch(/^not an ONNX model \(\d+ bytes\): /);
    return;
  }
  throw new Error("readModel accepted garbage");
}

describe("readModel / writeModel", () => {
  it("round-trips: the model read back is identical, and rewriting gives the same bytes", () => {
    const bytes = writeModel(model());
    const read = readModel(bytes);
    expect(asObject(read)).toEqual(asObject(model()));
    expect(Buffer.from(writeModel(read)).equals(Buffer.from(bytes))).toBe(true);
    expect(graphOf(read).initializer.map((t) => t.name)).toEqual(["w_0", "b_1"]);
  });

  it("rejects garbage, truncated and empty input with INVALID_ONNX", () => {
    const random = rng(7);
    expectInvalid(Uint8Array.from({ length: 4096 }, () => Math.floor(random() * 256)));
    expectInvalid(new TextEncoder().encode("this is not a model"));
    const bytes = writeModel(model());
    expectInvalid(bytes.subarray(0, Math.floor(bytes.length / 2)));
    expectInvalid(new Uint8Array(0));
  });
});
