// Mean and covariance of a feature matrix, matching np.mean(axis=0) and np.cov(rowvar=False):
// unbiased (divides by N-1), float64, two-pass (centre first, then multiply) because the one-pass
// sum-of-products formula loses precision catastrophically when |mean| >> stddev.
import type { GemmSteps } from "./gemm-steps";

export interface FeatureStatistics {
  mu: Float64Array;
  /** D x D, row-major, symmetric. */
  sigma: Float64Array;
  dim: number;
}

/** Mean of each column of an N x D row-major matrix. */
export function columnMean(features: ArrayLike<number>, n: number, d: number): Float64Array {
  if (features.length !== n * d) throw new Error(`statistics: expected ${n * d} values, got ${features.length}`);
  const mu = new Float64Array(d);
  for (let r = 0; r < n; r++) {
    const off = r * d;
    for (let c = 0; c < d; c++) mu[c]! += features[off + c]!;
  }
  for (let c = 0; c < d; c++) mu[c]! /= n;
  return mu;
}

/**
 * Covariance of an N x D row-major matrix. Centred columns are transposed into a D x N buffer so
 * every entry is a dot product of two contiguous rows; four output rows share each pass over the
 * fourth operand to cut memory traffic (the D x N buffer does not fit in cache for large N, D).
 */
export function covariance(features: ArrayLike<number>, n: number, d: number, mu = columnMean(features, n, d)): Float64Array {
  if (n < 2) throw new Error("statistics: covariance needs at least 2 samples");
  const xt = new Float64Array(d * n);
  for (let r = 0; r < n; r++) {
    const off = r * d;
    for (let c = 0; c < d; c++) xt[c * n + r] = features[off + c]! - mu[c]!;
  }
  const sigma = new Float64Array(d * d);
  const scale = 1 / (n - 1);
  let i = 0;
  for (; i + 4 <= d; i += 4) {
    const a0 = i * n, a1 = a0 + n, a2 = a1 + n, a3 = a2 + n;
    for (let j = i; j < d; j++) {
      const b = j * n;
      let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
      for (let k = 0; k < n; k++) {
        const x = xt[b + k]!;
        s0 += xt[a0 + k]! * x;
        s1 += xt[a1 + k]! * x;
        s2 += xt[a2 + k]! * x;
        s3 += xt[a3 + k]! * x;
      }
      // Rows i..i+3 against column j; entries with j < row are filled from symmetry below.
      sigma[i * d + j] = s0 * scale;
      sigma[(i + 1) * d + j] = s1 * scale;
      sigma[(i + 2) * d + j] = s2 * scale;
      sigma[(i + 3) * d + j] = s3 * scale;
    }
  }
  for (; i < d; i++) {
    const a = i * n;
    for (let j = i; j < d; j++) {
      const b = j * n;
      let s = 0;
      for (let k = 0; k < n; k++) s += xt[a + k]! * xt[b + k]!;
      sigma[i * d + j] = s * scale;
    }
  }
  // Mirror the upper triangle (j >= i) into the lower one.
  for (let r = 0; r < d; r++) {
    for (let c = r + 1; c < d; c++) sigma[c * d + r] = sigma[r * d + c]!;
  }
  return sigma;
}

export function featureStatistics(features: ArrayLike<number>, n: number, d: number): FeatureStatistics {
  const mu = columnMean(features, n, d);
  return { mu, sigma: covariance(features, n, d, mu), dim: d };
}

/** Rows per product in featureStatisticsSteps: bounds the centred copies to 2 x ROWS x D values. */
const ROWS_PER_PRODUCT = 1024;

/**
 * featureStatistics with the covariance as yielded products (gemm-steps.ts; onnxruntime does a
 * 4096 x 2048 covariance in ~0.5 s, TypeScript in ~10 s): the centred rows in chunks, each
 * chunk's X^T X summed in float64. Same two-pass maths as covariance().
 */
export function* featureStatisticsSteps(features: ArrayLike<number>, n: number, d: number): GemmSteps<FeatureStatistics> {
  const mu = columnMean(features, n, d);
  if (n < 2) throw new Error("statistics: covariance needs at least 2 samples");
  const sigma = new Float64Array(d * d);
  for (let start = 0; start < n; start += ROWS_PER_PRODUCT) {
    const rows = Math.min(ROWS_PER_PRODUCT, n - start);
    const centred = new Float64Array(rows * d);
    const centredT = new Float64Array(d * rows);
    for (let r = 0; r < rows; r++) {
      const off = (start + r) * d;
      for (let c = 0; c < d; c++) {
        const v = features[off + c]! - mu[c]!;
        centred[r * d + c] = v;
        centredT[c * rows + r] = v;
      }
    }
    const product = yield { a: centredT, b: centred, m: d, k: rows, n: d, symmetric: true };
    for (let i = 0; i < sigma.length; i++) sigma[i]! += product[i]!;
  }
  const scale = 1 / (n - 1);
  for (let i = 0; i < sigma.length; i++) sigma[i]! *= scale;
  return { mu, sigma, dim: d };
}
