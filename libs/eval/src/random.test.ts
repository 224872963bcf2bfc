import { describe, expect, it } from "vitest";
import { Random } from "./random";

describe("Random", () => {
  it("is xoshiro128** (the reference C implementation's first outputs from state 1, 2, 3, 4)", () => {
    const random = Random.fromState([1, 2, 3, 4]);
    const out = Array.from({ length: 8 }, () => random.nextUint32());
    expect(out).toEqual([11520, 0, 5927040, 70819200, 2031721883, 1637235492, 1287239034, 3734860849]);
  });

  it("repeats for the same seed and stream and differs across seeds and streams", () => {
    const draw = (seed: number, stream: number) => {
      const random = new Random(seed, stream);
      return Array.from({ length: 16 }, () => random.normal());
    };
    expect(draw(42, 0)).toEqual(draw(42, 0));
    expect(draw(42, 0)).not.toEqual(draw(43, 0));
    expect(draw(42, 0)).not.toEqual(draw(42, 1));
    // All 53 bits of the seed count.
    expect(draw(2 ** 40, 0)).not.toEqual(draw(2 ** 40 + 2 ** 33, 0));
  });

  it("draws uniform floats in [0, 1) and standard normals", () => {
    const random = new Random(7);
    const n = 100_000;
    let mean = 0;
    let square = 0;
    let uniformMean = 0;
    for (let i = 0; i < n; i++) {
      const u = random.nextFloat();
      expect(u >= 0 && u < 1).toBe(true);
      uniformMean += u / n;
      const z = random.normal();
      mean += z / n;
      square += (z * z) / n;
    }
    expect(Math.abs(uniformMean - 0.5)).toBeLessThan(0.005);
    expect(Math.abs(mean)).toBeLessThan(0.015); // 4.7 standard errors
    expect(Math.abs(square - 1)).toBeLessThan(0.03);
  });

  it("rejects seeds that are not safe integers", () => {
    expect(() => new Random(0.5)).toThrow(/seed/);
    expect(() => new Random(1, -1)).toThrow(/stream/);
  });
});
