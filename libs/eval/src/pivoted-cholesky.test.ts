import { describe, expect, it } from "vitest";
import { transpose } from "./dense-matrix";
import { gemm } from "./gemm";
import { runGemmSteps, runGemmStepsAsync } from "./gemm-steps";
import { withOnnxGemm } from "./onnx-gemm";
import { pivotedCholeskySteps, type CholeskyFactor } from "./pivoted-cholesky";
import { normals } from "./test-random.test-helper";

/** X^T X / rows for a rows x n Gaussian X: rank min(rows, n). */
function gram(rows: number, n: number, seed: number): Float64Array {
  const x = normals(rows * n, seed);
  return gemm({ a: transpose(x, rows, n), b: x, m: n, k: rows, n }).map((v) => v / rows);
}

function reconstructionError(s: Float64Array, f: CholeskyFactor): number {
  const { n, rank, factor } = f;
  const back = rank === 0 ? new Float64Array(n * n) : gemm({ a: factor, b: transpose(factor, n, rank), m: n, k: rank, n });
  let max = 0;
  let scale = 0;
  for (let i = 0; i < n * n; i++) {
    max = Math.max(max, Math.abs(back[i]! - s[i]!));
    scale = Math.max(scale, Math.abs(s[i]!));
  }
  return max / scale;
}

const factor = (s: Float64Array, n: number) => runGemmSteps(pivotedCholeskySteps(s, n));

describe("pivoted Cholesky", () => {
  it("factors full-rank matrices across several panels (S = F F^T)", () => {
    for (const n of [1, 5, 64, 150]) {
      const s = gram(2 * n + 3, n, n);
      const f = factor(s, n);
      expect(f.rank).toBe(n);
      expect(reconstructionError(s, f), `n = ${n}`).toBeLessThan(1e-13);
    }
  });

  it("stops at the rank of a rank-deficient matrix", () => {
    for (const [rows, n] of [[10, 64], [100, 150], [1, 30]] as const) {
      const s = gram(rows, n, rows);
      const f = factor(s, n);
      expect(f.rank).toBe(rows);
      expect(f.factor).toHaveLength(n * rows);
      expect(reconstructionError(s, f), `${rows} samples in ${n}-d`).toBeLessThan(1e-13);
    }
    expect(factor(new Float64Array(9), 3).rank).toBe(0);
  });

  it("gives the same factor with onnxruntime doing the panel updates", async () => {
    const n = 300;
    const s = gram(400, n, 4);
    const sync = factor(s, n);
    const onnx = await withOnnxGemm({}, (g) => runGemmStepsAsync(pivotedCholeskySteps(s, n), g));
    expect(onnx.rank).toBe(n);
    let max = 0;
    for (let i = 0; i < sync.factor.length; i++) max = Math.max(max, Math.abs(onnx.factor[i]! - sync.factor[i]!));
    expect(max).toBeLessThan(1e-10);
  });
});
