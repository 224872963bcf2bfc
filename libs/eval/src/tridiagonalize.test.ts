import { describe, expect, it } from "vitest";
import { runGemmSteps, runGemmStepsAsync } from "./gemm-steps";
import { withOnnxGemm } from "./onnx-gemm";
import { symmetricEigen, tridiagonalEigenvalues } from "./symmetric-eigen";
import { randomSymmetric } from "./test-random.test-helper";
import { tridiagonalizeSteps } from "./tridiagonalize";

function maxAbsDifference(x: Float64Array, y: Float64Array): number {
  let max = 0;
  for (let i = 0; i < x.length; i++) max = Math.max(max, Math.abs(x[i]! - y[i]!));
  return max;
}

describe("blocked tridiagonalisation", () => {
  it("keeps the eigenvalues (vs tred2 + tql2) for sizes across panel boundaries", () => {
    for (const n of [1, 2, 3, 64, 65, 130, 200]) {
      const a = randomSymmetric(n, n + 7);
      const { d, e } = runGemmSteps(tridiagonalizeSteps(a, n));
      expect(d).toHaveLength(n);
      expect(e[0]).toBe(0);
      expect(maxAbsDifference(tridiagonalEigenvalues(d, e), symmetricEigen(a, n).values), `n = ${n}`).toBeLessThan(1e-10);
    }
  });

  it("handles matrices that are already (block) diagonal", () => {
    const n = 70;
    const a = new Float64Array(n * n);
    for (let i = 0; i < n; i++) a[i * n + i] = i - 10;
    a[5 * n + 6] = a[6 * n + 5] = 2; // one coupling, the rest zero columns
    const { d, e } = runGemmSteps(tridiagonalizeSteps(a, n));
    expect(maxAbsDifference(tridiagonalEigenvalues(d, e), symmetricEigen(a, n).values)).toBeLessThan(1e-12);
  });

  it("gives the same tridiagonal with onnxruntime doing the products", async () => {
    const n = 600;
    const a = randomSymmetric(n, 3);
    const sync = runGemmSteps(tridiagonalizeSteps(a, n));
    const onnx = await withOnnxGemm({}, (g) => runGemmStepsAsync(tridiagonalizeSteps(a, n), g));
    expect(maxAbsDifference(tridiagonalEigenvalues(onnx.d, onnx.e), tridiagonalEigenvalues(sync.d, sync.e))).toBeLessThan(1e-10);
  });
});
