import { describe, expect, it } from "vitest";
import { symmetricEigen, symmetricEigenvalues } from "./symmetric-eigen";
import { randomSymmetric } from "./test-random.test-helper";

/** max |A - V^T diag(l) V| and max |V V^T - I| (rows of V are eigenvectors). */
function errors(a: Float64Array, n: number): { recon: number; ortho: number; values: Float64Array } {
  const { values, vectors: v } = symmetricEigen(a, n);
  let recon = 0;
  let ortho = 0;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      let o = 0;
      for (let k = 0; k < n; k++) {
        s += values[k]! * v[k * n + i]! * v[k * n + j]!;
        o += v[i * n + k]! * v[j * n + k]!;
      }
      recon = Math.max(recon, Math.abs(s - a[i * n + j]!));
      ortho = Math.max(ortho, Math.abs(o - (i === j ? 1 : 0)));
    }
  }
  return { recon, ortho, values };
}

describe("symmetricEigen", () => {
  for (const n of [1, 2, 3, 10, 64, 150]) {
    it(`reconstructs a random ${n}x${n} matrix with orthonormal vectors`, () => {
      const a = randomSymmetric(n, n);
      const { recon, ortho, values } = errors(a, n);
      expect(recon).toBeLessThan(1e-10);
      expect(ortho).toBeLessThan(1e-10);
      for (let i = 1; i < n; i++) expect(values[i]!).toBeGreaterThanOrEqual(values[i - 1]!);
      const only = symmetricEigenvalues(a, n);
      for (let i = 0; i < n; i++) expect(Math.abs(only[i]! - values[i]!)).toBeLessThan(1e-10);
    });
  }

  it("handles diagonal, zero and repeated-eigenvalue matrices", () => {
    const diag = Float64Array.from([3, 0, 0, 0, -1, 0, 0, 0, 2]);
    expect(Array.from(symmetricEigen(diag, 3).values)).toEqual([-1, 2, 3]);
    const zero = new Float64Array(16);
    const z = errors(zero, 4);
    expect(Array.from(z.values)).toEqual([0, 0, 0, 0]);
    expect(z.ortho).toBeLessThan(1e-12);
    // All-ones 5x5: eigenvalues 0 (x4) and 5.
    const ones = new Float64Array(25).fill(1);
    const o = errors(ones, 5);
    expect(o.recon).toBeLessThan(1e-12);
    expect(o.ortho).toBeLessThan(1e-12);
    expect(o.values[4]!).toBeCloseTo(5, 12);
    for (let i = 0; i < 4; i++) expect(Math.abs(o.values[i]!)).toBeLessThan(1e-12);
  });

  it("reads only the upper triangle and leaves the input unchanged", () => {
    const a = randomSymmetric(6, 9);
    const copy = Float64Array.from(a);
    const lower = Float64Array.from(a);
    for (let i = 0; i < 6; i++) for (let j = 0; j < i; j++) lower[i * 6 + j] = 1e6;
    const v1 = symmetricEigen(a, 6).values;
    const v2 = symmetricEigen(lower, 6).values;
    expect(Array.from(a)).toEqual(Array.from(copy));
    for (let i = 0; i < 6; i++) expect(Math.abs(v1[i]! - v2[i]!)).toBeLessThan(1e-12);
  });

  it("rejects a non-square input", () => {
    expect(() => symmetricEigen(new Float64Array(5), 2)).toThrow(/2 x 2/);
  });
});
