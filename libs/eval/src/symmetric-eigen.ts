// Eigen-decomposition of a real symmetric matrix: Householder tridiagonalisation (tred2) followed
// by the implicit QL algorithm (tql2), after EISPACK / JAMA. O(n^3). Eigenvalues alone take the
// blocked route of tridiagonalize.ts instead (no eigenvectors to accumulate or rotate).
//
// Layout for speed: JAMA walks the eigenvector matrix V down its columns (V[k][j], k varying).
// We store W = V^T row-major instead, so each of those loops runs over contiguous memory
// (W[j*n + k]). At the end row k of W is the k-th eigenvector.
import { runGemmSteps } from "./gemm-steps";
import { tridiagonalizeSteps } from "./tridiagonalize";

export interface SymmetricEigen {
  n: number;
  /** Eigenvalues in ascending order. */
  values: Float64Array;
  /** n x n row-major; row k (vectors[k*n .. k*n+n-1]) is the unit eigenvector for values[k]. */
  vectors: Float64Array;
}

const EPS = 2 ** -52;
const MAX_QL_ITERATIONS = 100; // per eigenvalue; QL usually converges in 2-3

// sqrt(a^2 + b^2) without overflow; Math.hypot is slower in V8 for two arguments.
function hypot(a: number, b: number): number {
  const x = Math.abs(a);
  const y = Math.abs(b);
  if (x > y) {
    const r = y / x;
    return x * Math.sqrt(1 + r * r);
  }
  if (y === 0) return 0;
  const r = x / y;
  return y * Math.sqrt(1 + r * r);
}

function checkSquare(a: ArrayLike<number>, n: number): void {
  if (!Number.isInteger(n) || n < 1 || a.length !== n * n) {
    throw new Error(`symmetric-eigen: expected ${n} x ${n} values, got ${a.length}`);
  }
}

/**
 * Householder reduction to tridiagonal form. On return d holds the diagonal, e[1..n-1] the
 * sub-diagonal (e[0] = 0), and w holds W = Q^T (rows = transformation columns).
 */
function tred2(w: Float64Array, n: number, d: Float64Array, e: Float64Array): void {
  // The input is symmetric, so W = V^T = V = A initially.
  for (let j = 0; j < n; j++) d[j] = w[j * n + n - 1]!;
  for (let i = n - 1; i > 0; i--) {
    let scale = 0;
    let h = 0;
    for (let k = 0; k < i; k++) scale += Math.abs(d[k]!);
    if (scale === 0) {
      e[i] = d[i - 1]!;
      for (let j = 0; j < i; j++) {
        d[j] = w[j * n + i - 1]!; // V[i-1][j]
        w[j * n + i] = 0; // V[i][j]
        w[i * n + j] = 0; // V[j][i]
      }
    } else {
      for (let k = 0; k < i; k++) {
        d[k]! /= scale;
        h += d[k]! * d[k]!;
      }
      let f = d[i - 1]!;
      let g = Math.sqrt(h);
      if (f > 0) g = -g;
      e[i] = scale * g;
      h -= f * g;
      d[i - 1] = f - g;
      for (let j = 0; j < i; j++) e[j] = 0;
      // e = A d (A = leading i x i block, only its lower triangle V[k][j], k >= j, is read).
      for (let j = 0; j < i; j++) {
        const row = j * n;
        f = d[j]!;
        w[i * n + j] = f; // V[j][i]
        g = e[j]! + w[row + j]! * f;
        for (let k = j + 1; k < i; k++) {
          const v = w[row + k]!; // V[k][j]
          g += v * d[k]!;
          e[k]! += v * f;
        }
        e[j] = g;
      }
      f = 0;
      for (let j = 0; j < i; j++) {
        e[j]! /= h;
        f += e[j]! * d[j]!;
      }
      const hh = f / (h + h);
      for (let j = 0; j < i; j++) e[j]! -= hh * d[j]!;
      // Rank-2 update A -= d e^T + e d^T on the lower triangle.
      for (let j = 0; j < i; j++) {
        const row = j * n;
        f = d[j]!;
        g = e[j]!;
        for (let k = j; k < i; k++) w[row + k]! -= f * e[k]! + g * d[k]!;
        d[j] = w[row + i - 1]!; // V[i-1][j]
        w[row + i] = 0; // V[i][j]
      }
    }
    d[i] = h;
  }

  for (let i = 0; i < n - 1; i++) {
    const rowI = i * n;
    const rowI1 = (i + 1) * n;
    w[rowI + n - 1] = w[rowI + i]!; // V[n-1][i] = V[i][i]
    w[rowI + i] = 1;
    const h = d[i + 1]!;
    if (h !== 0) {
      for (let k = 0; k <= i; k++) d[k] = w[rowI1 + k]! / h; // V[k][i+1]
      for (let j = 0; j <= i; j++) {
        const row = j * n;
        let g = 0;
        for (let k = 0; k <= i; k++) g += w[rowI1 + k]! * w[row + k]!;
        for (let k = 0; k <= i; k++) w[row + k]! -= g * d[k]!;
      }
    }
    for (let k = 0; k <= i; k++) w[rowI1 + k] = 0;
  }
  for (let j = 0; j < n; j++) {
    d[j] = w[j * n + n - 1]!;
    w[j * n + n - 1] = 0;
  }
  w[(n - 1) * n + n - 1] = 1;
  e[0] = 0;
}

/** Implicit QL on the tridiagonal (d, e); rotations are applied to the rows of w when given. */
function tql2(d: Float64Array, e: Float64Array, n: number, w: Float64Array | null): void {
  for (let i = 1; i < n; i++) e[i - 1] = e[i]!;
  e[n - 1] = 0;
  let f = 0;
  let tst1 = 0;
  for (let l = 0; l < n; l++) {
    tst1 = Math.max(tst1, Math.abs(d[l]!) + Math.abs(e[l]!));
    let m = l;
    while (m < n) {
      if (Math.abs(e[m]!) <= EPS * tst1) break;
      m++;
    }
    // e[n-1] is 0, so m < n always.
    if (m > l) {
      let iter = 0;
      do {
        if (++iter > MAX_QL_ITERATIONS) throw new Error("symmetric-eigen: QL iteration did not converge");
        let g = d[l]!;
        let p = (d[l + 1]! - g) / (2 * e[l]!);
        let r = hypot(p, 1);
        if (p < 0) r = -r;
        d[l] = e[l]! / (p + r);
        d[l + 1] = e[l]! * (p + r);
        const dl1 = d[l + 1]!;
        let h = g - d[l]!;
        for (let i = l + 2; i < n; i++) d[i]! -= h;
        f += h;
        p = d[m]!;
        let c = 1;
        let c2 = c;
        let c3 = c;
        const el1 = e[l + 1]!;
        let s = 0;
        let s2 = 0;
        for (let i = m - 1; i >= l; i--) {
          c3 = c2;
          c2 = c;
          s2 = s;
          g = c * e[i]!;
          h = c * p;
          r = hypot(p, e[i]!);
          e[i + 1] = s * r;
          s = e[i]! / r;
          c = p / r;
          p = c * d[i]! - s * g;
          d[i + 1] = h + s * (c * g + s * d[i]!);
          if (w) {
            // Rotate eigenvector rows i and i+1 (JAMA's columns), contiguous in W.
            const ri = i * n;
            const ri1 = ri + n;
            for (let k = 0; k < n; k++) {
              const hv = w[ri1 + k]!;
              const vi = w[ri + k]!;
              w[ri1 + k] = s * vi + c * hv;
              w[ri + k] = c * vi - s * hv;
            }
          }
        }
        p = (-s * s2 * c3 * el1 * e[l]!) / dl1;
        e[l] = s * p;
        d[l] = c * p;
      } while (Math.abs(e[l]!) > EPS * tst1);
    }
    d[l] = d[l]! + f;
    e[l] = 0;
  }
}

/**
 * Eigenvalues (ascending) and orthonormal eigenvectors of a symmetric n x n row-major matrix.
 * Only the upper triangle (column >= row) is read: the algorithm reads the lower triangle of V,
 * and V is stored transposed. The input is not modified.
 */
export function symmetricEigen(a: ArrayLike<number>, n: number): SymmetricEigen {
  checkSquare(a, n);
  const w = Float64Array.from(a);
  const d = new Float64Array(n);
  const e = new Float64Array(n);
  tred2(w, n, d, e);
  tql2(d, e, n, w);
  // Sort ascending (selection sort on values, swapping eigenvector rows): O(n^2) swaps at most.
  for (let i = 0; i < n - 1; i++) {
    let k = i;
    let p = d[i]!;
    for (let j = i + 1; j < n; j++) {
      if (d[j]! < p) {
        k = j;
        p = d[j]!;
      }
    }
    if (k !== i) {
      d[k] = d[i]!;
      d[i] = p;
      const ri = i * n;
      const rk = k * n;
      for (let j = 0; j < n; j++) {
        const t = w[ri + j]!;
        w[ri + j] = w[rk + j]!;
        w[rk + j] = t;
      }
    }
  }
  return { n, values: d, vectors: w };
}

/**
 * Eigenvalues only (ascending): the blocked tridiagonalisation (tridiagonalize.ts, products in
 * TypeScript here) and QL without eigenvector rotations. Reads the upper triangle.
 */
export function symmetricEigenvalues(a: ArrayLike<number>, n: number): Float64Array {
  checkSquare(a, n);
  const { d, e } = runGemmSteps(tridiagonalizeSteps(a, n));
  return tridiagonalEigenvalues(d, e);
}

/**
 * Eigenvalues (ascending) of the symmetric tridiagonal matrix with diagonal d and sub-diagonal e
 * (e[i] couples rows i-1 and i; e[0] is ignored), by implicit QL. O(n^2). Inputs are not modified.
 */
export function tridiagonalEigenvalues(d: ArrayLike<number>, e: ArrayLike<number>): Float64Array {
  const n = d.length;
  if (e.length !== n) throw new Error(`symmetric-eigen: ${n} diagonal but ${e.length} off-diagonal values`);
  if (n === 0) return new Float64Array(0);
  const values = Float64Array.from(d);
  const off = Float64Array.from(e);
  off[0] = 0;
  tql2(values, off, n, null);
  return values.sort();
}
