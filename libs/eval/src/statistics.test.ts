import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { writeNpy } from "./npy";
import { readFidStatistics } from "./npz";
import { itWithReferencePython, runPython } from "./python.test-helper";
import { runGemmSteps, runGemmStepsAsync } from "./gemm-steps";
import { withOnnxGemm } from "./onnx-gemm";
import { covariance, featureStatistics, featureStatisticsSteps } from "./statistics";
import { normals } from "./test-random.test-helper";

const dir = mkdtempSync(join(tmpdir(), "eval-stats-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("featureStatistics", () => {
  it("computes mean and unbiased covariance by hand", () => {
    // Rows (1,2), (3,6), (5,10): means 3, 6; var 4, 16; cov 8.
    const s = featureStatistics([1, 2, 3, 6, 5, 10], 3, 2);
    expect(Array.from(s.mu)).toEqual([3, 6]);
    expect(Array.from(s.sigma)).toEqual([4, 8, 8, 16]);
  });

  it("stays accurate with a large offset (two-pass)", () => {
    const x = [1e9 + 1, 1e9 + 2, 1e9 + 3, 1e9 + 4];
    expect(covariance(x, 4, 1)[0]).toBeCloseTo(5 / 3, 6);
  });

  itWithReferencePython("matches np.mean / np.cov(rowvar=False) for 300 x 37", () => {
    const n = 300;
    const d = 37; // not a multiple of the 4-row block
    const x = normals(n * d, 5);
    for (let i = 0; i < x.length; i++) x[i] = x[i]! * (1 + (i % d)) + 100;
    writeFileSync(join(dir, "x.npy"), writeNpy({ dtype: "float64", shape: [n, d], data: x }));
    runPython(
      `
import numpy as np
x = np.load("x.npy")
np.savez("ref.npz", mu=np.mean(x, axis=0), sigma=np.cov(x, rowvar=False))
`,
      dir,
    );
    const ref = readFidStatistics(readFileSync(join(dir, "ref.npz")));
    const ours = featureStatistics(x, n, d);
    let maxRel = 0;
    for (let i = 0; i < d * d; i++) {
      const scale = Math.sqrt(ref.sigma[Math.floor(i / d) * (d + 1)]! * ref.sigma[(i % d) * (d + 1)]!);
      maxRel = Math.max(maxRel, Math.abs(ours.sigma[i]! - ref.sigma[i]!) / scale);
    }
    expect(maxRel).toBeLessThan(1e-12);
    for (let i = 0; i < d; i++) expect(Math.abs(ours.mu[i]! - ref.mu[i]!)).toBeLessThan(1e-12);
  });

  it("rejects fewer than 2 samples and a wrong length", () => {
    expect(() => covariance([1, 2], 1, 2)).toThrow(/2 samples/);
    expect(() => featureStatistics([1, 2, 3], 2, 2)).toThrow(/expected 4/);
  });

  it("featureStatisticsSteps (chunked products, TypeScript or onnxruntime) equals featureStatistics", async () => {
    const n = 2500; // three chunks of rows
    const d = 100;
    const x = normals(n * d, 21).map((v, i) => v * (1 + (i % 7)) + 1000); // |mean| >> stddev
    const expected = featureStatistics(x, n, d);
    const sync = runGemmSteps(featureStatisticsSteps(x, n, d));
    const onnx = await withOnnxGemm({}, (g) => runGemmStepsAsync(featureStatisticsSteps(x, n, d), g));
    for (const got of [sync, onnx]) {
      expect(got.dim).toBe(d);
      expect(Array.from(got.mu)).toEqual(Array.from(expected.mu));
      let maxRel = 0;
      for (let i = 0; i < d * d; i++) maxRel = Math.max(maxRel, Math.abs(got.sigma[i]! - expected.sigma[i]!) / (1 + Math.abs(expected.sigma[i]!)));
      expect(maxRel).toBeLessThan(1e-12);
    }
    expect(() => runGemmSteps(featureStatisticsSteps([1, 2], 1, 2))).toThrow(/2 samples/);
  });
});
