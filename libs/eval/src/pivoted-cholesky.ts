// Pivoted Cholesky of a symmetric positive semi-definite matrix, S = F F^T with F n x rank
// (LAPACK dpstrf, blocked). Pivoting on the largest remaining diagonal and stopping once it falls
// to round-off level (n * eps * max diag, dpstrf's default) factors rank-deficient covariances,
// e.g. fewer samples than dimensions, where plain Cholesky breaks down.
//
// Blocked for speed: inside a panel of columns, each new column subtracts only that panel's
// contributions; the rest of the matrix is updated once per panel by one product (yielded, so
// onnxruntime can do it; see gemm-steps.ts).
import { symmetricCopy } from "./dense-matrix";
import type { GemmSteps } from "./gemm-steps";

const EPS = 2 ** -52;
const PANEL = 64;

export interface CholeskyFactor {
  n: number;
  rank: number;
  /** n x rank row-major, rows in the input's order: S = F F^T up to round-off. */
  factor: Float64Array;
}

/** Swaps columns from..to-1 of rows i and j. */
function swapRows(x: Float64Array, n: number, i: number, j: number, from: number, to: number): void {
  const ri = i * n;
  const rj = j * n;
  for (let c = from; c < to; c++) {
    const t = x[ri + c]!;
    x[ri + c] = x[rj + c]!;
    x[rj + c] = t;
  }
}

/** Reads the upper triangle of the n x n matrix `s` (which is not modified). */
export function* pivotedCholeskySteps(s: ArrayLike<number>, n: number): GemmSteps<CholeskyFactor> {
  const w = symmetricCopy(s, n); // W: S with the finished panels' contributions subtracted
  const l = new Float64Array(n * n); // L in pivoted order (row i is original row perm[i])
  const perm = Int32Array.from({ length: n }, (_, i) => i);
  const d = new Float64Array(n); // remaining diagonal, updated column by column
  let maxDiagonal = 0;
  for (let i = 0; i < n; i++) {
    d[i] = w[i * n + i]!;
    maxDiagonal = Math.max(maxDiagonal, d[i]!);
  }
  const tolerance = n * EPS * maxDiagonal;
  let rank = 0;
  panels: for (let k0 = 0; k0 < n; k0 += PANEL) {
    const k1 = Math.min(n, k0 + PANEL);
    for (let j = k0; j < k1; j++) {
      let p = j;
      for (let i = j + 1; i < n; i++) if (d[i]! > d[p]!) p = i;
      const pivot = d[p]!;
      if (!(pivot > tolerance)) break panels; // what is left is round-off: rank j
      if (p !== j) {
        // Symmetric swap of j and p in W. Rows and columns before j are never read again.
        swapRows(w, n, j, p, j, n);
        for (let r = j; r < n; r++) {
          const t = w[r * n + j]!;
          w[r * n + j] = w[r * n + p]!;
          w[r * n + p] = t;
        }
        swapRows(l, n, j, p, 0, j);
        d[p] = d[j]!;
        const q = perm[j]!;
        perm[j] = perm[p]!;
        perm[p] = q;
      }
      const ljj = Math.sqrt(pivot);
      const rowJ = j * n;
      l[rowJ + j] = ljj;
      d[j] = 0;
      // Column j below the diagonal; W's row j equals its column j (symmetric) and is contiguous.
      for (let i = j + 1; i < n; i++) {
        const rowI = i * n;
        let sum = w[rowJ + i]!;
        for (let c = k0; c < j; c++) sum -= l[rowI + c]! * l[rowJ + c]!;
        const v = sum / ljj;
        l[rowI + j] = v;
        d[i]! -= v * v;
      }
      rank = j + 1;
    }
    if (k1 >= n) break;
    // W[k1:, k1:] -= P P^T with P = L[k1:, k0:k1].
    const m = n - k1;
    const width = k1 - k0;
    const panel = new Float64Array(m * width);
    const panelT = new Float64Array(width * m);
    for (let i = 0; i < m; i++) {
      const row = (k1 + i) * n + k0;
      for (let c = 0; c < width; c++) {
        const v = l[row + c]!;
        panel[i * width + c] = v;
        panelT[c * m + i] = v;
      }
    }
    const update = yield { a: panel, b: panelT, m, k: width, n: m, symmetric: true };
    for (let i = 0; i < m; i++) {
      const row = (k1 + i) * n + k1;
      const ui = i * m;
      for (let c = 0; c < m; c++) w[row + c]! -= update[ui + c]!;
    }
  }
  const factor = new Float64Array(n * rank);
  for (let i = 0; i < n; i++) {
    const from = i * n;
    const to = perm[i]! * rank;
    for (let c = 0; c < rank; c++) factor[to + c] = l[from + c]!;
  }
  return { n, rank, factor };
}
