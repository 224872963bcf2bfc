import { describe, expect, it } from "vitest";
import { extractFeatures, fidAgainstReference } from "./features";
import { frechetDistance } from "./frechet";
import { featureStatistics } from "./statistics";
import { normals } from "./test-random.test-helper";
import { toyExtractor } from "./toy-models.test-helper";

const C = 1;
const R = 4;
const D = 6;
const PER_IMAGE = C * R * R;

describe("extractFeatures", () => {
  const weights = Float32Array.from(normals(PER_IMAGE * D, 5));
  const images = Float32Array.from(normals(7 * PER_IMAGE, 6), (v) => Math.tanh(v));

  it("returns count x d features, the same for any batch size", async () => {
    const session = await toyExtractor(C, R, weights, D);
    const whole = await extractFeatures(session, images, 7, { channels: C, resolution: R, batch: 7 });
    expect(whole).toHaveLength(7 * D);
    // features = flatten(x) W
    for (let i = 0; i < 7; i++) {
      for (let j = 0; j < D; j++) {
        let expected = 0;
        for (let p = 0; p < PER_IMAGE; p++) expected += images[i * PER_IMAGE + p]! * weights[p * D + j]!;
        expect(Math.abs(whole[i * D + j]! - expected)).toBeLessThan(1e-5);
      }
    }
    for (const batch of [1, 3]) {
      expect(Array.from(await extractFeatures(session, images, 7, { channels: C, resolution: R, batch }))).toEqual(Array.from(whole));
    }
    const logits = await extractFeatures(session, images, 7, { channels: C, resolution: R, batch: 4, output: "logits" });
    expect(logits).toHaveLength(7 * 2);
  });

  it("rejects a wrong image count and an unknown output", async () => {
    const session = await toyExtractor(C, R, weights, D);
    await expect(extractFeatures(session, images, 6, { channels: C, resolution: R, batch: 2 })).rejects.toThrow(/not 6 images/);
    await expect(extractFeatures(session, images, 7, { channels: C, resolution: R, batch: 2, output: "pool" })).rejects.toThrow(/no output "pool"/);
  });
});

describe("fidAgainstReference", () => {
  it("equals frechetDistance of the features' statistics, and ~0 against their own statistics", async () => {
    const n = 1500; // more rows than one covariance product takes (1024)
    const d = 12;
    const features = Float32Array.from(normals(n * d, 8), (v, i) => v * (1 + (i % d) / 4) + (i % 3));
    const reference = featureStatistics(Float64Array.from(normals(800 * d, 9), (v) => v * 1.3 + 0.2), 800, d);
    const { fid, statistics } = await fidAgainstReference(features, n, d, reference);
    const own = featureStatistics(features, n, d);
    for (let i = 0; i < d * d; i++) expect(Math.abs(statistics.sigma[i]! - own.sigma[i]!)).toBeLessThan(1e-12 * (1 + Math.abs(own.sigma[i]!)));
    expect(Array.from(statistics.mu)).toEqual(Array.from(own.mu));
    const expected = frechetDistance(own.mu, own.sigma, reference.mu, reference.sigma);
    expect(Math.abs(fid - expected)).toBeLessThan(1e-9 * expected);
    const self = await fidAgainstReference(features, n, d, statistics);
    expect(Math.abs(self.fid)).toBeLessThan(1e-9);
    await expect(fidAgainstReference(features, n, d, { ...reference, dim: d + 1 })).rejects.toThrow(/13-d/);
  });
});
