import { describe, expect, it } from "vitest";
import {
  activationParams,
  asymmetricParams,
  asymmetricUint8PerChannel,
  quantizeBiasInt32,
  quantizeValue,
  roundHalfToEven,
  symmetricInt8PerChannel,
} from "./quantization-math";

describe("quantization math", () => {
  it("rounds half to even and saturates, as QuantizeLinear does", () => {
    expect([0.5, 1.5, 2.5, -0.5, -1.5, -2.5, 2.4, 2.6, -2.6].map((x) => roundHalfToEven(x) + 0)).toEqual([0, 2, 2, 0, -2, -2, 2, 3, -3]);
    expect(quantizeValue(1000, 0.1, 0, -128, 127)).toBe(127);
    expect(quantizeValue(-1000, 0.1, 0, -128, 127)).toBe(-128);
    expect(quantizeValue(0.25, 0.1, 10, -128, 127)).toBe(12); // 2.5 -> 2, + 10
  });

  it("widens activation ranges to include zero and represents zero exactly", () => {
    const wide = activationParams(-1, 3, "int8");
    expect(wide.scale).toBe(Math.fround(4 / 255));
    expect(wide.zeroPoint).toBe(-64); // round(-128 + 1 / (4/255)) = round(-64.25)
    expect(activationParams(-1, 3, "uint8")).toEqual({ scale: wide.scale, zeroPoint: 64 }); // the same grid, shifted by 128
    expect(activationParams(2, 4, "int8")).toEqual({ scale: Math.fround(4 / 255), zeroPoint: -128 }); // [2, 4] -> [0, 4]
    expect(activationParams(-4, -2, "int8")).toEqual({ scale: Math.fround(4 / 255), zeroPoint: 127 });
    expect(activationParams(0, 0, "int8")).toEqual({ scale: 1, zeroPoint: 0 });
    // Zero quantizes to the zero point and dequantizes to exactly 0.
    for (const [min, max] of [[-0.3, 7.1], [-5, 0.01], [-1e-3, 2e-3]] as const) {
      const { scale, zeroPoint } = asymmetricParams(min, max, -128, 127);
      expect((quantizeValue(0, scale, zeroPoint, -128, 127) - zeroPoint) * scale).toBe(0);
      // The range ends land inside the grid (no saturation inside the calibrated range).
      expect(Math.abs((quantizeValue(max, scale, zeroPoint, -128, 127) - zeroPoint) * scale - max)).toBeLessThanOrEqual(scale / 2 + 1e-7);
      expect(Math.abs((quantizeValue(min, scale, zeroPoint, -128, 127) - zeroPoint) * scale - min)).toBeLessThanOrEqual(scale / 2 + 1e-7);
    }
  });

  it("quantizes weights symmetrically per channel along the given axis", () => {
    // [2, 3]: channel 0 = [1, -2, 0.5], channel 1 = all zeros.
    const weights = Float32Array.from([1, -2, 0.5, 0, 0, 0]);
    const rows = symmetricInt8PerChannel(weights, [2, 3], 0);
    expect(Array.from(rows.scales)).toEqual([Math.fround(2 / 127), 1]);
    expect(Array.from(rows.values)).toEqual([64, -127, 32, 0, 0, 0]); // 63.5 -> 64, 31.75 -> 32
    expect(Array.from(rows.zeroPoints)).toEqual([0, 0]);

    // Columns of the same matrix (MatMul weights [K, N] quantize per output column N).
    const columns = symmetricInt8PerChannel(weights, [2, 3], 1);
    expect(Array.from(columns.scales)).toEqual([Math.fround(1 / 127), Math.fround(2 / 127), Math.fround(0.5 / 127)]);
    expect(Array.from(columns.values)).toEqual([127, -127, 127, 0, 0, 0]);

    // Reduced range: |q| <= 64, and -w quantizes to -q.
    const reduced = symmetricInt8PerChannel(Float32Array.from([0.3, -0.3, 0.9, -0.9]), [1, 4], 0, 64);
    expect(Array.from(reduced.values)).toEqual([21, -21, 64, -64]);
    // Conv weights [out, in, kh, kw]: per output channel over in*kh*kw values.
    const conv = symmetricInt8PerChannel(Float32Array.from({ length: 2 * 2 * 2 * 2 }, (_, i) => (i < 8 ? 0.1 * i : -0.01 * i)), [2, 2, 2, 2], 0);
    expect(Array.from(conv.scales)).toEqual([Math.fround(0.7 / 127), Math.fround(0.15 / 127)]);
  });

  it("quantizes MatMulInteger weights to uint8 per column with zero points", () => {
    // [2, 2]: column 0 = [0.5, -0.25], column 1 = [0.5, 2].
    const q = asymmetricUint8PerChannel(Float32Array.from([0.5, 0.5, -0.25, 2]), [2, 2], 1);
    expect(Array.from(q.scales)).toEqual([Math.fround(0.75 / 255), Math.fround(2 / 255)]);
    expect(Array.from(q.zeroPoints)).toEqual([85, 0]); // 0.25 / (0.75/255) = 85: zero sits on the grid
    expect(Array.from(q.values)).toEqual([255, 64, 0, 255]); // 0.5 / (2/255) = 63.75 -> 64
  });

  it("quantizes a bias to int32 at input scale times weight scale", () => {
    const weightScales = Float32Array.from([0.01, 0.02, 0.01]);
    const q = quantizeBiasInt32(Float32Array.from([1, -2, 1e12]), 0.1, weightScales);
    expect(Array.from(q.scales)).toEqual(Array.from(weightScales, (s) => Math.fround(0.1 * s)));
    expect(Array.from(q.values)).toEqual([1000, -1000, 2 ** 31 - 1]);
  });
});
