// Householder reduction of a symmetric matrix to tridiagonal form, blocked like LAPACK's
// dsytrd/dlatrd (lower): for eigenvalues without eigenvectors, the O(n^3) part of the work.
// Per panel of PANEL columns, each column needs one product of the panel-start matrix with its
// Householder vector (a matrix-vector product), corrected for the panel's earlier reflectors; the
// rest of the matrix is then updated once, A -= V W^T + W V^T, as one matrix product. Both
// products are yielded (gemm-steps.ts), so onnxruntime can do them: the unblocked tred2 walks the
// whole trailing matrix twice per column in TypeScript.
import { symmetricCopy } from "./dense-matrix";
import type { GemmSteps } from "./gemm-steps";

const PANEL = 64;

export interface Tridiagonal {
  /** Diagonal, n values. */
  d: Float64Array;
  /** e[i] couples rows i-1 and i (i >= 1); e[0] = 0. */
  e: Float64Array;
}

/**
 * Q^T A Q = tridiagonal(d, e) for the symmetric n x n matrix whose upper triangle is that of `a`
 * (not modified). Q is not formed.
 */
export function* tridiagonalizeSteps(a: ArrayLike<number>, n: number): GemmSteps<Tridiagonal> {
  const d = new Float64Array(n);
  const e = new Float64Array(n);
  let t = symmetricCopy(a, n); // the trailing matrix at the start of the panel, packed m x m
  let k0 = 0;
  while (n - k0 > 1) {
    const m = n - k0;
    const width = Math.min(PANEL, m - 1);
    const vs: Float64Array[] = []; // Householder vectors (length m, zero above row jj + 1)
    const ws: Float64Array[] = []; // w = tau (A v - ...) - (tau/2)(w.v) v, the dlatrd W columns
    for (let jj = 0; jj < width; jj++) {
      // Column jj of the current matrix = panel-start column (row jj, by symmetry) minus the
      // panel's earlier rank-2 updates.
      const col = t.slice(jj * m, jj * m + m);
      for (let q = 0; q < jj; q++) {
        const v = vs[q]!;
        const w = ws[q]!;
        const wj = w[jj]!;
        const vj = v[jj]!;
        if (wj === 0 && vj === 0) continue;
        for (let r = jj; r < m; r++) col[r]! -= v[r]! * wj + w[r]! * vj;
      }
      d[k0 + jj] = col[jj]!;
      // Reflector H = I - tau v v^T with v[jj+1] = 1 that zeroes col[jj+2..] (dlarfg).
      const alpha = col[jj + 1]!;
      let tail = 0;
      for (let r = jj + 2; r < m; r++) tail += col[r]! * col[r]!;
      const v = new Float64Array(m);
      const w = new Float64Array(m);
      vs.push(v);
      ws.push(w);
      if (tail === 0) {
        e[k0 + jj + 1] = alpha; // already tridiagonal in this column: H = I, v = w = 0
        continue;
      }
      const beta = (alpha >= 0 ? -1 : 1) * Math.sqrt(alpha * alpha + tail);
      const tau = (beta - alpha) / beta;
      const scale = 1 / (alpha - beta);
      e[k0 + jj + 1] = beta;
      v[jj + 1] = 1;
      for (let r = jj + 2; r < m; r++) v[r] = col[r]! * scale;
      // y = A_panel_start v (v is zero above jj+1, so the full product's rows jj+1.. are right).
      const y = yield { a: t, b: v, m, k: m, n: 1 };
      for (let q = 0; q < jj; q++) {
        const vq = vs[q]!;
        const wq = ws[q]!;
        let wDotV = 0;
        let vDotV = 0;
        for (let r = jj + 1; r < m; r++) {
          wDotV += wq[r]! * v[r]!;
          vDotV += vq[r]! * v[r]!;
        }
        if (wDotV === 0 && vDotV === 0) continue;
        for (let r = jj + 1; r < m; r++) y[r]! -= vq[r]! * wDotV + wq[r]! * vDotV;
      }
      let yDotV = 0;
      for (let r = jj + 1; r < m; r++) {
        w[r] = tau * y[r]!;
        yDotV += w[r]! * v[r]!;
      }
      const half = -0.5 * tau * yDotV;
      for (let r = jj + 1; r < m; r++) w[r]! += half * v[r]!;
    }
    // Trailing matrix for the next panel: A[width:, width:] -= V W^T + W V^T = [V W] [W V]^T.
    const next = m - width;
    const left = new Float64Array(next * 2 * width);
    const right = new Float64Array(2 * width * next);
    for (let q = 0; q < width; q++) {
      const v = vs[q]!;
      const w = ws[q]!;
      for (let r = 0; r < next; r++) {
        const vr = v[width + r]!;
        const wr = w[width + r]!;
        left[r * 2 * width + q] = vr;
        left[r * 2 * width + width + q] = wr;
        right[q * next + r] = wr;
        right[(width + q) * next + r] = vr;
      }
    }
    const update = yield { a: left, b: right, m: next, k: 2 * width, n: next, symmetric: true };
    const packed = new Float64Array(next * next);
    for (let r = 0; r < next; r++) {
      const from = (width + r) * m + width;
      const row = r * next;
      for (let c = 0; c < next; c++) packed[row + c] = t[from + c]! - update[row + c]!;
    }
    t = packed;
    k0 += width;
  }
  d[n - 1] = t[0]!;
  return { d, e };
}
