import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { frechetDistance, frechetDistanceAsync } from "./frechet";
import { readFidStatistics } from "./npz";
import { itWithReferencePython, runPython } from "./python.test-helper";
import { featureStatistics, type FeatureStatistics } from "./statistics";
import { normals } from "./test-random.test-helper";

const dir = mkdtempSync(join(tmpdir(), "eval-frechet-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Statistics of n correlated samples in d dimensions (mixing matrix makes sigma non-diagonal). */
function randomStats(n: number, d: number, seed: number, shift = 0): FeatureStatistics {
  const z = normals(n * d, seed);
  const mix = normals(d * d, seed + 1000);
  const x = new Float64Array(n * d);
  for (let r = 0; r < n; r++) {
    for (let k = 0; k < d; k++) {
      const zk = z[r * d + k]!;
      for (let c = 0; c < d; c++) x[r * d + c]! += zk * mix[k * d + c]! * 0.3;
    }
    for (let c = 0; c < d; c++) x[r * d + c]! += shift + (c === 0 ? 1 : 0);
  }
  return featureStatistics(x, n, d);
}

function trace(s: FeatureStatistics): number {
  let t = 0;
  for (let i = 0; i < s.dim; i++) t += s.sigma[i * s.dim + i]!;
  return t;
}

function fd(a: FeatureStatistics, b: FeatureStatistics): number {
  return frechetDistance(a.mu, a.sigma, b.mu, b.sigma);
}

describe("frechetDistance", () => {
  const a = randomStats(500, 64, 1);
  const b = randomStats(400, 64, 2, 0.1);

  it("is ~0 for identical statistics", () => {
    expect(Math.abs(fd(a, a))).toBeLessThan(1e-8 * trace(a));
  });

  it("is symmetric in its arguments", () => {
    const ab = fd(a, b);
    const ba = fd(b, a);
    expect(ab).toBeGreaterThan(0);
    expect(Math.abs(ab - ba)).toBeLessThan(1e-9 * ab);
  });

  it("equals the closed form for diagonal covariances", () => {
    const d = 20;
    const va = normals(d, 3).map((v) => v * v + 0.1);
    const vb = normals(d, 4).map((v) => v * v);
    vb[3] = 0; // a zero variance is allowed
    const mu1 = normals(d, 5);
    const mu2 = normals(d, 6);
    const s1 = new Float64Array(d * d);
    const s2 = new Float64Array(d * d);
    let expected = 0;
    for (let i = 0; i < d; i++) {
      s1[i * d + i] = va[i]!;
      s2[i * d + i] = vb[i]!;
      expected += (Math.sqrt(va[i]!) - Math.sqrt(vb[i]!)) ** 2 + (mu1[i]! - mu2[i]!) ** 2;
    }
    expect(Math.abs(frechetDistance(mu1, s1, mu2, s2) - expected)).toBeLessThan(1e-12 * expected);
  });

  it("is finite and >= 0 for rank-deficient covariances (10 samples in 64-d)", () => {
    const r1 = randomStats(10, 64, 7);
    const r2 = randomStats(10, 64, 8);
    for (const [x, y] of [
      [r1, r2],
      [r2, r1],
      [r1, a],
      [a, r1],
    ] as const) {
      const v = fd(x, y);
      expect(Number.isFinite(v)).toBe(true);
      expect(v).toBeGreaterThan(0);
    }
    expect(Math.abs(fd(r1, r1))).toBeLessThan(1e-8 * trace(r1));
    const zero = { mu: new Float64Array(64), sigma: new Float64Array(64 * 64), dim: 64 };
    expect(fd(zero, zero)).toBe(0);
  });

  it("frechetDistanceAsync (products in onnxruntime) agrees with frechetDistance, rank-deficient included", async () => {
    const big1 = randomStats(700, 200, 11);
    const big2 = randomStats(150, 200, 12, 0.05); // rank 149
    for (const [x, y] of [
      [a, b],
      [big1, big2],
      [big2, big1],
    ] as const) {
      const sync = fd(x, y);
      const onnx = await frechetDistanceAsync(x.mu, x.sigma, y.mu, y.sigma);
      expect(Math.abs(onnx - sync)).toBeLessThan(1e-9 * sync);
    }
    expect(Math.abs(await frechetDistanceAsync(big2.mu, big2.sigma, big2.mu, big2.sigma))).toBeLessThan(1e-8 * trace(big2));
    await expect(frechetDistanceAsync([0, 0], [1, 0, 0, 1], [0], [1])).rejects.toThrow(/second/);
  });

  it("rejects NaN and Inf in the statistics", () => {
    const sigma = Float64Array.from(a.sigma);
    sigma[5] = Number.NaN;
    expect(() => frechetDistance(a.mu, sigma, b.mu, b.sigma)).toThrow(/first sigma has a non-finite/);
    const mu = Float64Array.from(b.mu);
    mu[0] = Number.POSITIVE_INFINITY;
    expect(() => frechetDistance(a.mu, a.sigma, mu, b.sigma)).toThrow(/second mu has a non-finite/);
  });

  it("rejects mismatched shapes", () => {
    expect(() => frechetDistance([0, 0], [1, 0, 0, 1], [0], [1])).toThrow(/second/);
  });

  // pytorch-fid's calculate_frechet_distance (scipy.linalg.sqrtm of sigma1 @ sigma2), verbatim.
  // 2048-d (Inception's width) only through onnxruntime: ~4 s here, the TypeScript products ~20 s.
  for (const [dim, n, ways] of [
    [64, 500, ["sync", "onnxruntime"]],
    [256, 1000, ["sync", "onnxruntime"]],
    [2048, 4096, ["onnxruntime"]],
  ] as const) {
    itWithReferencePython(`matches pytorch-fid + scipy.linalg.sqrtm on ${dim}-d statistics (${ways.join(", ")})`, async () => {
      const out = runPython(
        `
import numpy as np

from pytorch_fid_reference import calculate_frechet_distance

rng = np.random.default_rng(${dim})
d, n = ${dim}, ${n}
stats = []
for i in range(2):
    x = rng.standard_normal((n, d)) @ (rng.standard_normal((d, d)) * 0.3) + 0.05 * i
    mu, sigma = np.mean(x, axis=0), np.cov(x, rowvar=False)
    np.savez("stats%d-${dim}.npz" % i, mu=mu, sigma=sigma)
    stats += [mu, sigma]
print(repr(float(calculate_frechet_distance(*stats))))
`,
        dir,
        180_000,
      );
      const expected = Number(out.trim());
      const s1 = readFidStatistics(readFileSync(join(dir, `stats0-${dim}.npz`)));
      const s2 = readFidStatistics(readFileSync(join(dir, `stats1-${dim}.npz`)));
      expect(s1.dim).toBe(dim);
      expect(expected).toBeGreaterThan(0);
      for (const way of ways) {
        const ours = way === "sync" ? fd(s1, s2) : await frechetDistanceAsync(s1.mu, s1.sigma, s2.mu, s2.sigma);
        expect(Math.abs(ours - expected), way).toBeLessThan(1e-6 * expected);
      }
    }, 240_000);
  }
});
