// Test models with the ops the quantizers handle, built with seeded weights.
import type { onnx } from "onnx-proto";
import type { Feeds } from "../runtime/session";
import { GraphBuilder, int } from "./graph-builder.test-helper";
import { floatInput } from "./ort.test-helper";

/**
 * A chain, every tensor read once: x [batch, 3, 8, 8] -> Conv 3->8 -> Relu -> Conv 8->8 (stride 2)
 * -> Relu -> Flatten -> MatMul 128x32 -> Relu -> Gemm 32->10 (transB, alpha 0.5, beta 2) -> y.
 */
export function convChain(seed = 21): onnx.ModelProto {
  const g = new GraphBuilder(seed);
  let h = g.relu(g.conv(g.input("x", ["batch", 3, 8, 8]), 3, 8));
  h = g.relu(g.conv(h, 8, 8, 3, 2));
  h = g.relu(g.matmul(g.node("Flatten", [h], [int("axis", 1)]), 128, 32));
  g.rename(g.gemm(h, 32, 10, { alpha: 0.5, beta: 2 }), "y");
  return g.output("y", ["batch", 10]).build({ metadata: { family: "test" } });
}

/**
 * Fan-out and activation x activation products: a Conv whose output feeds a residual Add and
 * the next Conv, a MatMul whose output feeds two Gemms (transB on and off) and an outer product
 * (MatMul of two activations).
 */
export function fanOut(seed = 31): onnx.ModelProto {
  const g = new GraphBuilder(seed);
  const first = g.conv(g.input("x", ["batch", 3, 8, 8]), 3, 8);
  const h = g.relu(g.add(g.conv(g.relu(first), 8, 8), first));
  const m = g.relu(g.matmul(g.node("Flatten", [h], [int("axis", 1)]), 512, 16));
  g.rename(g.gemm(m, 16, 10, { alpha: 0.5, beta: 2 }), "y");
  g.rename(g.gemm(m, 16, 6, { transB: false }), "z");
  const outer = g.node("MatMul", [g.node("Unsqueeze", [m, g.int64s([2])]), g.node("Unsqueeze", [m, g.int64s([1])])]);
  g.rename(outer, "outer");
  return g.output("y", ["batch", 10]).output("z", ["batch", 6]).output("outer", ["batch", 16, 16]).build();
}

export const imageFeeds = (seed: number, batch = 4): Feeds => ({ x: floatInput([batch, 3, 8, 8], seed) });
export const calibrationFeeds = (count: number, from = 100) => Array.from({ length: count }, (_, i) => imageFeeds(from + i, 8));
