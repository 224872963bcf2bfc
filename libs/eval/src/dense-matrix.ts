// Small dense-matrix helpers (row-major Float64Array) shared by the linear-algebra steps.

/** The symmetric matrix whose upper triangle (column >= row) is that of `a`, as a full copy. */
export function symmetricCopy(a: ArrayLike<number>, n: number): Float64Array {
  if (!Number.isInteger(n) || n < 1 || a.length !== n * n) {
    throw new Error(`expected ${n} x ${n} values, got ${a.length}`);
  }
  const w = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = i; j < n; j++) {
      const v = a[i * n + j]!;
      w[i * n + j] = v;
      w[j * n + i] = v;
    }
  }
  return w;
}

/** The transpose of an r x c row-major matrix (c x r). */
export function transpose(x: Float64Array, rows: number, cols: number): Float64Array {
  const t = new Float64Array(rows * cols);
  for (let i = 0; i < rows; i++) {
    const row = i * cols;
    for (let j = 0; j < cols; j++) t[j * rows + i] = x[row + j]!;
  }
  return t;
}
