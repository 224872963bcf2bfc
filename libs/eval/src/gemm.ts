// Dense float64 products C = A B (row-major) in plain TypeScript: the synchronous fallback for the
// linear-algebra steps (gemm-steps.ts) and the kernel for products too small to be worth an
// onnxruntime call. B is transposed once so every entry is a dot product of two contiguous rows;
// a 4 x 2 tile of C shares each load of A and B (~1.6 GMAC/s in V8 vs ~1.3 for 2 x 2, ~0.7 naive).

/** One product the linear-algebra steps ask for: C (m x n) = A (m x k) B (k x n), row-major. */
export interface GemmRequest {
  a: Float64Array;
  b: Float64Array;
  m: number;
  k: number;
  n: number;
  /** C is known to be symmetric (B = A^T): an implementation may compute one triangle and mirror. */
  symmetric?: boolean;
}

export function checkGemm(req: GemmRequest): void {
  const { a, b, m, k, n } = req;
  if (a.length !== m * k || b.length !== k * n || (req.symmetric && m !== n)) {
    throw new Error(`gemm: bad shapes A ${a.length} for ${m}x${k}, B ${b.length} for ${k}x${n}${req.symmetric ? " (symmetric)" : ""}`);
  }
}

const COLUMN_BLOCK = 32; // 32 rows of B^T (32 k-vectors) stay in cache while all rows of A pass

export function gemm(req: GemmRequest): Float64Array {
  checkGemm(req);
  const { a, b, m, k, n } = req;
  const c = new Float64Array(m * n);
  if (n === 1) {
    matrixVector(a, b, m, k, c);
    return c;
  }
  const bt = new Float64Array(n * k);
  for (let p = 0; p < k; p++) {
    const row = p * n;
    for (let j = 0; j < n; j++) bt[j * k + p] = b[row + j]!;
  }
  const symmetric = req.symmetric === true;
  for (let j0 = 0; j0 < n; j0 += COLUMN_BLOCK) {
    const j1 = Math.min(n, j0 + COLUMN_BLOCK);
    let i = 0;
    for (; i + 4 <= m; i += 4) {
      // Symmetric: rows i..i+3 need only columns >= i (the rest is mirrored below).
      const jStart = symmetric ? Math.max(j0, i) : j0;
      if (jStart >= j1) continue;
      tile4(a, bt, c, i, jStart, j1, k, n);
    }
    for (; i < m; i++) {
      const jStart = symmetric ? Math.max(j0, i) : j0;
      const ai = i * k;
      for (let j = jStart; j < j1; j++) c[i * n + j] = dot(a, ai, bt, j * k, k);
    }
  }
  if (symmetric) {
    for (let i = 0; i < m; i++) for (let j = i + 1; j < n; j++) c[j * n + i] = c[i * n + j]!;
  }
  return c;
}

/** C[i..i+3][j0..j1) from rows of A and rows of B^T, two columns at a time. */
function tile4(a: Float64Array, bt: Float64Array, c: Float64Array, i: number, j0: number, j1: number, k: number, n: number): void {
  const a0 = i * k, a1 = a0 + k, a2 = a1 + k, a3 = a2 + k;
  const c0 = i * n, c1 = c0 + n, c2 = c1 + n, c3 = c2 + n;
  let j = j0;
  for (; j + 2 <= j1; j += 2) {
    const b0 = j * k, b1 = b0 + k;
    let s00 = 0, s01 = 0, s10 = 0, s11 = 0, s20 = 0, s21 = 0, s30 = 0, s31 = 0;
    for (let p = 0; p < k; p++) {
      const y0 = bt[b0 + p]!, y1 = bt[b1 + p]!;
      let x = a[a0 + p]!;
      s00 += x * y0; s01 += x * y1;
      x = a[a1 + p]!;
      s10 += x * y0; s11 += x * y1;
      x = a[a2 + p]!;
      s20 += x * y0; s21 += x * y1;
      x = a[a3 + p]!;
      s30 += x * y0; s31 += x * y1;
    }
    c[c0 + j] = s00; c[c0 + j + 1] = s01;
    c[c1 + j] = s10; c[c1 + j + 1] = s11;
    c[c2 + j] = s20; c[c2 + j + 1] = s21;
    c[c3 + j] = s30; c[c3 + j + 1] = s31;
  }
  if (j < j1) {
    const b0 = j * k;
    c[c0 + j] = dot(a, a0, bt, b0, k);
    c[c1 + j] = dot(a, a1, bt, b0, k);
    c[c2 + j] = dot(a, a2, bt, b0, k);
    c[c3 + j] = dot(a, a3, bt, b0, k);
  }
}

function dot(x: Float64Array, xi: number, y: Float64Array, yi: number, k: number): number {
  let s0 = 0, s1 = 0;
  let p = 0;
  for (; p + 2 <= k; p += 2) {
    s0 += x[xi + p]! * y[yi + p]!;
    s1 += x[xi + p + 1]! * y[yi + p + 1]!;
  }
  if (p < k) s0 += x[xi + p]! * y[yi + p]!;
  return s0 + s1;
}

/** c = A v, four rows per pass over v. */
function matrixVector(a: Float64Array, v: Float64Array, m: number, k: number, c: Float64Array): void {
  let i = 0;
  for (; i + 4 <= m; i += 4) {
    const a0 = i * k, a1 = a0 + k, a2 = a1 + k, a3 = a2 + k;
    let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    for (let p = 0; p < k; p++) {
      const x = v[p]!;
      s0 += a[a0 + p]! * x;
      s1 += a[a1 + p]! * x;
      s2 += a[a2 + p]! * x;
      s3 += a[a3 + p]! * x;
    }
    c[i] = s0; c[i + 1] = s1; c[i + 2] = s2; c[i + 3] = s3;
  }
  for (; i < m; i++) c[i] = dot(a, i * k, v, 0, k);
}
