// Frechet distance between two Gaussians (the FID formula of pytorch-fid):
//   d^2 = |mu1 - mu2|^2 + tr(S1) + tr(S2) - 2 tr( sqrt( sqrt(S1) S2 sqrt(S1) ) )
// pytorch-fid uses scipy.linalg.sqrtm(S1 S2), which is non-symmetric and can go complex or blow up
// for singular covariances. Here everything stays symmetric positive semi-definite:
//   S1 = V diag(l) V^T (l clamped at 0: negative eigenvalues are round-off or rank deficiency),
//   sqrt(S1) = V diag(sqrt l) V^T, M = sqrt(S1) S2 sqrt(S1), tr sqrt(M) = sum sqrt(max(0, eig M)).
// We never form sqrt(S1) explicitly: M = V K V^T with K = diag(sqrt l) (V^T S2 V) diag(sqrt l),
// and K is orthogonally similar to M, so it has the same eigenvalues at one matrix product less.
import { symmetricEigen, symmetricEigenvalues } from "./symmetric-eigen";

function checkStats(mu: ArrayLike<number>, sigma: ArrayLike<number>, d: number, which: string): void {
  if (mu.length !== d || sigma.length !== d * d) {
    throw new Error(`frechet: ${which} has mu length ${mu.length} and sigma length ${sigma.length}; expected ${d} and ${d * d}`);
  }
}

/**
 * T = W S (W, S: n x n row-major), i-k-j order so the inner loop streams contiguous rows of S and
 * T. Blocked over k so a panel of S rows stays in cache while all rows of W use it.
 */
function multiply(w: Float64Array, s: ArrayLike<number>, n: number): Float64Array {
  const t = new Float64Array(n * n);
  const BLOCK = 64;
  for (let k0 = 0; k0 < n; k0 += BLOCK) {
    const k1 = Math.min(n, k0 + BLOCK);
    for (let i = 0; i < n; i++) {
      const ti = i * n;
      const wi = i * n;
      for (let k = k0; k < k1; k++) {
        const a = w[wi + k]!;
        if (a === 0) continue;
        const sk = k * n;
        for (let j = 0; j < n; j++) t[ti + j]! += a * s[sk + j]!;
      }
    }
  }
  return t;
}

/** Trace of sqrt(sqrt(S1) S2 sqrt(S1)), both covariances symmetric PSD n x n row-major. */
export function traceSqrtProduct(sigma1: ArrayLike<number>, sigma2: ArrayLike<number>, n: number): number {
  const { values, vectors: w } = symmetricEigen(sigma1, n); // rows of w are eigenvectors of S1
  const root = new Float64Array(n);
  for (let i = 0; i < n; i++) root[i] = Math.sqrt(Math.max(0, values[i]!));
  // T = W S2 (rows: v_a^T S2); K[a][b] = root_a root_b (v_a^T S2 v_b) = root_a root_b T[a] . w[b].
  const t = multiply(w, sigma2, n);
  const k = new Float64Array(n * n);
  for (let a = 0; a < n; a++) {
    const ra = root[a]!;
    const ta = a * n;
    // Symmetrise by construction: compute b >= a once and mirror (the (M + M^T)/2 step).
    for (let b = a; b < n; b++) {
      let v = 0;
      const rb = root[b]!;
      if (ra !== 0 && rb !== 0) {
        const wb = b * n;
        let s0 = 0, s1 = 0;
        let j = 0;
        for (; j + 1 < n; j += 2) {
          s0 += t[ta + j]! * w[wb + j]!;
          s1 += t[ta + j + 1]! * w[wb + j + 1]!;
        }
        if (j < n) s0 += t[ta + j]! * w[wb + j]!;
        v = ra * rb * (s0 + s1);
      }
      k[a * n + b] = v;
      k[b * n + a] = v;
    }
  }
  const eig = symmetricEigenvalues(k, n);
  let trace = 0;
  for (let i = 0; i < n; i++) trace += Math.sqrt(Math.max(0, eig[i]!));
  return trace;
}

/**
 * Squared Frechet distance between N(mu1, sigma1) and N(mu2, sigma2) (what FID reports).
 * Real and finite for singular (rank-deficient) covariances; may be a tiny negative number
 * (round-off) when the two distributions are identical.
 */
export function frechetDistance(
  mu1: ArrayLike<number>,
  sigma1: ArrayLike<number>,
  mu2: ArrayLike<number>,
  sigma2: ArrayLike<number>,
): number {
  const n = mu1.length;
  checkStats(mu1, sigma1, n, "first");
  checkStats(mu2, sigma2, n, "second");
  let diff = 0;
  let tr1 = 0;
  let tr2 = 0;
  for (let i = 0; i < n; i++) {
    const dm = mu1[i]! - mu2[i]!;
    diff += dm * dm;
    tr1 += sigma1[i * n + i]!;
    tr2 += sigma2[i * n + i]!;
  }
  const result = diff + tr1 + tr2 - 2 * traceSqrtProduct(sigma1, sigma2, n);
  if (!Number.isFinite(result)) throw new Error("frechet: non-finite result (NaN or Inf in the inputs?)");
  return result;
}
