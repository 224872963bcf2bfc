// The O(n^3) linear algebra (pivoted Cholesky, tridiagonalisation, the FID products) is written
// once, as generators that yield each big matrix product they need and resume with its result.
// A driver answers the products: runGemmSteps in plain TypeScript (synchronous, so frechetDistance
// keeps its synchronous API), runGemmStepsAsync with any asynchronous multiplier, in practice
// onnxruntime's float64 MatMul (onnx-gemm.ts), ~25x faster than the TypeScript kernel at 2048-d.
import { gemm, type GemmRequest } from "./gemm";

/** Steps that yield products (GemmRequest), get C back, and return T. Compose with `yield*`. */
export type GemmSteps<T> = Generator<GemmRequest, T, Float64Array>;

/** Something that multiplies asynchronously (OnnxGemm, or a stub in tests). */
export interface AsyncGemm {
  multiply(req: GemmRequest): Promise<Float64Array>;
}

export function runGemmSteps<T>(steps: GemmSteps<T>): T {
  let next = steps.next();
  while (!next.done) next = steps.next(gemm(next.value));
  return next.value;
}

export async function runGemmStepsAsync<T>(steps: GemmSteps<T>, multiplier: AsyncGemm): Promise<T> {
  let next = steps.next();
  while (!next.done) next = steps.next(await multiplier.multiply(next.value));
  return next.value;
}
