import { describe, expect, it } from "vitest";
import { OnnxError } from "../onnx-error";
import { normals } from "../test-support/random.test-helper";
import { MinMaxCollector, PercentileCollector } from "./range-collector";

describe("range collectors", () => {
  it("min/max spans every batch", () => {
    const c = new MinMaxCollector();
    c.add([1, 2, 3]);
    c.add([-4, 0]);
    expect(c.range()).toEqual({ min: -4, max: 3 });
  });

  it("percentile clips each tail, within a bin width, across batches that widen the histogram", () => {
    // 0..9999 in batches whose range keeps growing, so the histogram is re-binned on the way.
    const c = new PercentileCollector(99);
    for (const end of [100, 1000, 10_000]) c.add(Float32Array.from({ length: end - (end === 100 ? 0 : end / 10) }, (_, i) => i + (end === 100 ? 0 : end / 10)));
    const { min, max } = c.range();
    const bin = 10_000 / 2048;
    expect(Math.abs(min - 100)).toBeLessThan(2 * bin);
    expect(Math.abs(max - 9900)).toBeLessThan(2 * bin);
  });

  it("ignores a lone outlier at 99.99 but not at 100", () => {
    const values = normals(100_000, 3);
    values[17] = 1000;
    const clipped = new PercentileCollector(99.99);
    const full = new PercentileCollector(100);
    for (let i = 0; i < values.length; i += 10_000) {
      clipped.add(values.subarray(i, i + 10_000));
      full.add(values.subarray(i, i + 10_000));
    }
    // N(0, 1): the 99.99th percentile is 3.72; one bin is (1000 + 4.4) / 2048 = 0.49 wide.
    expect(clipped.range().max).toBeGreaterThan(3.72 - 0.5);
    expect(clipped.range().max).toBeLessThan(3.72 + 1);
    expect(clipped.range().min).toBeLessThan(-3.72 + 0.5);
    expect(full.range().max).toBe(1000);
  });

  it("refuses non-finite values and percentiles out of (50, 100]", () => {
    expect(() => new MinMaxCollector().add([1, NaN])).toThrow(expect.objectContaining({ code: "CALIBRATION_FAILED" }) as unknown as OnnxError);
    expect(() => new PercentileCollector(50)).toThrow(/percentile must be in \(50, 100\]/);
  });
});
