// Frechet distance between two Gaussians (the FID formula of pytorch-fid):
//   d^2 = |mu1 - mu2|^2 + tr(S1) + tr(S2) - 2 tr( sqrt( sqrt(S1) S2 sqrt(S1) ) )
// pytorch-fid uses scipy.linalg.sqrtm(S1 S2), which is non-symmetric and can go complex or blow up
// for singular covariances. Here nothing leaves symmetric positive semi-definite matrices:
//   S1 = F1 F1^T, S2 = F2 F2^T (pivoted Cholesky; F is n x rank, so rank-deficient S are fine),
//   tr sqrt(sqrt(S1) S2 sqrt(S1)) = nuclear norm of F1^T F2 (F1 = sqrt(S1) U with U orthonormal
//   columns, and the nuclear norm ignores U) = sum sqrt(eig(G)), G = C C^T, C = F1^T F2,
// with G of size min(rank1, rank2): eigenvalues only, no eigenvectors. Negative eigenvalues of G are
// round-off and clamped at 0. The old route (eigenvectors of S1, then the eigenvalues of
// sqrt(l) V^T S2 V sqrt(l)) needed a full eigen-decomposition: ~40 s at 2048-d in TypeScript.
//
// frechetDistance runs the products in TypeScript (synchronous); frechetDistanceAsync runs the
// same steps with the products in onnxruntime (the fast one at 2048-d).
import { transpose } from "./dense-matrix";
import { runGemmSteps, runGemmStepsAsync, type AsyncGemm, type GemmSteps } from "./gemm-steps";
import { withOnnxGemm, type OnnxGemmOptions } from "./onnx-gemm";
import { pivotedCholeskySteps } from "./pivoted-cholesky";
import { tridiagonalEigenvalues } from "./symmetric-eigen";
import { tridiagonalizeSteps } from "./tridiagonalize";

function checkStats(mu: ArrayLike<number>, sigma: ArrayLike<number>, d: number, which: string): void {
  if (mu.length !== d || sigma.length !== d * d) {
    throw new Error(`frechet: ${which} has mu length ${mu.length} and sigma length ${sigma.length}; expected ${d} and ${d * d}`);
  }
  for (let i = 0; i < mu.length; i++) if (!Number.isFinite(mu[i]!)) throw new Error(`frechet: ${which} mu has a non-finite value (NaN or Inf)`);
  for (let i = 0; i < sigma.length; i++) if (!Number.isFinite(sigma[i]!)) throw new Error(`frechet: ${which} sigma has a non-finite value (NaN or Inf)`);
}

/** tr sqrt(sqrt(S1) S2 sqrt(S1)) for symmetric PSD n x n row-major S1, S2 (upper triangles read). */
export function* traceSqrtProductSteps(sigma1: ArrayLike<number>, sigma2: ArrayLike<number>, n: number): GemmSteps<number> {
  const f1 = yield* pivotedCholeskySteps(sigma1, n);
  const f2 = yield* pivotedCholeskySteps(sigma2, n);
  const r1 = f1.rank;
  const r2 = f2.rank;
  if (r1 === 0 || r2 === 0) return 0;
  const c = yield { a: transpose(f1.factor, n, r1), b: f2.factor, m: r1, k: n, n: r2 };
  const ct = transpose(c, r1, r2);
  const r = Math.min(r1, r2);
  const g = r1 <= r2 ? yield { a: c, b: ct, m: r1, k: r2, n: r1, symmetric: true } : yield { a: ct, b: c, m: r2, k: r1, n: r2, symmetric: true };
  const { d, e } = yield* tridiagonalizeSteps(g, r);
  const eigenvalues = tridiagonalEigenvalues(d, e);
  let trace = 0;
  for (let i = 0; i < r; i++) trace += Math.sqrt(Math.max(0, eigenvalues[i]!));
  return trace;
}

/** Trace of sqrt(sqrt(S1) S2 sqrt(S1)), both covariances symmetric PSD n x n row-major. */
export function traceSqrtProduct(sigma1: ArrayLike<number>, sigma2: ArrayLike<number>, n: number): number {
  return runGemmSteps(traceSqrtProductSteps(sigma1, sigma2, n));
}

function* frechetSteps(mu1: ArrayLike<number>, sigma1: ArrayLike<number>, mu2: ArrayLike<number>, sigma2: ArrayLike<number>): GemmSteps<number> {
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
  const result = diff + tr1 + tr2 - 2 * (yield* traceSqrtProductSteps(sigma1, sigma2, n));
  if (!Number.isFinite(result)) throw new Error("frechet: non-finite result (NaN or Inf in the inputs?)");
  return result;
}

/**
 * Squared Frechet distance between N(mu1, sigma1) and N(mu2, sigma2) (what FID reports).
 * Real and finite for singular (rank-deficient) covariances; may be a tiny negative number
 * (round-off) when the two distributions are identical. Plain TypeScript, synchronous: ~10x
 * slower than frechetDistanceAsync at 2048-d.
 */
export function frechetDistance(
  mu1: ArrayLike<number>,
  sigma1: ArrayLike<number>,
  mu2: ArrayLike<number>,
  sigma2: ArrayLike<number>,
): number {
  return runGemmSteps(frechetSteps(mu1, sigma1, mu2, sigma2));
}

export interface FrechetAsyncOptions extends OnnxGemmOptions {
  /** Who multiplies; default a fresh onnxruntime float64 MatMul session (OnnxGemm). */
  gemm?: AsyncGemm;
}

/** frechetDistance with its matrix products in onnxruntime: the one to use at 2048-d. */
export async function frechetDistanceAsync(
  mu1: ArrayLike<number>,
  sigma1: ArrayLike<number>,
  mu2: ArrayLike<number>,
  sigma2: ArrayLike<number>,
  options: FrechetAsyncOptions = {},
): Promise<number> {
  const steps = frechetSteps(mu1, sigma1, mu2, sigma2);
  if (options.gemm) return runGemmStepsAsync(steps, options.gemm);
  return withOnnxGemm(options, (gemm) => runGemmStepsAsync(steps, gemm));
}
