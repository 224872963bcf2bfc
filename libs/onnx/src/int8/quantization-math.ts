// The arithmetic of linear quantization, q = saturate(round(x / scale) + zeroPoint), as ONNX
// QuantizeLinear defines it: rounding half to even, scales stored (and used) as float32.

export function roundHalfToEven(x: number): number {
  const floor = Math.floor(x);
  const fraction = x - floor;
  if (fraction > 0.5) return floor + 1;
  if (fraction < 0.5) return floor;
  return floor % 2 === 0 ? floor : floor + 1;
}

export function quantizeValue(x: number, scale: number, zeroPoint: number, qmin: number, qmax: number): number {
  return Math.min(qmax, Math.max(qmin, roundHalfToEven(x / scale) + zeroPoint));
}

export interface QuantizationParams {
  scale: number;
  zeroPoint: number;
}

/**
 * Asymmetric parameters for the range [min, max] onto [qmin, qmax]. The range is widened to
 * include 0 so that zero (padding, ReLU's floor) is exactly representable.
 */
export function asymmetricParams(min: number, max: number, qmin: number, qmax: number): QuantizationParams {
  const low = Math.min(min, 0);
  const high = Math.max(max, 0);
  const scale = Math.fround((high - low) / (qmax - qmin));
  if (!(scale > 0) || !Number.isFinite(scale)) return { scale: 1, zeroPoint: Math.min(qmax, Math.max(qmin, 0)) };
  return { scale, zeroPoint: Math.min(qmax, Math.max(qmin, roundHalfToEven(qmin - low / scale))) };
}

/** Activations: asymmetric over [-128, 127] (int8) or [0, 255] (uint8); the same grid, shifted. */
export const activationParams = (min: number, max: number, type: "int8" | "uint8") =>
  type === "int8" ? asymmetricParams(min, max, -128, 127) : asymmetricParams(min, max, 0, 255);

export interface PerChannel<T> {
  values: T;
  scales: Float32Array;
  zeroPoints: T;
}

/** Splits a flat row-major tensor into channels along `axis`; calls visit(channel, flatIndex). */
function forEachChannel(dims: readonly number[], axis: number, visit: (channel: number, index: number) => void): number {
  const channels = dims[axis]!;
  const inner = dims.slice(axis + 1).reduce((a, b) => a * b, 1);
  const total = dims.reduce((a, b) => a * b, 1);
  for (let i = 0; i < total; i++) visit(Math.floor(i / inner) % channels, i);
  return channels;
}

/**
 * int8 weights, symmetric per channel: scale_c = max|w_c| / qmax, zero point 0, values in
 * [-qmax, qmax] (a restricted range, so that -w quantizes to -q). qmax is 127 for the full int8
 * range, 64 for the 7-bit "reduced range". An all-zero channel gets scale 1.
 */
export function symmetricInt8PerChannel(weights: Float32Array, dims: readonly number[], axis: number, qmax = 127): PerChannel<Int8Array> {
  const channels = dims[axis]!;
  const absMax = new Float64Array(channels);
  forEachChannel(dims, axis, (c, i) => (absMax[c] = Math.max(absMax[c]!, Math.abs(weights[i]!))));
  const scales = Float32Array.from(absMax, (m) => (m > 0 ? Math.fround(m / qmax) : 1));
  const values = new Int8Array(weights.length);
  forEachChannel(dims, axis, (c, i) => (values[i] = quantizeValue(weights[i]!, scales[c]!, 0, -qmax, qmax)));
  return { values, scales, zeroPoints: new Int8Array(channels) };
}

/** uint8 weights, asymmetric per channel over [min(w_c, 0), max(w_c, 0)]. */
export function asymmetricUint8PerChannel(weights: Float32Array, dims: readonly number[], axis: number): PerChannel<Uint8Array> {
  const channels = dims[axis]!;
  const min = new Float64Array(channels);
  const max = new Float64Array(channels);
  forEachChannel(dims, axis, (c, i) => {
    min[c] = Math.min(min[c]!, weights[i]!);
    max[c] = Math.max(max[c]!, weights[i]!);
  });
  const params = Array.from(min, (low, c) => asymmetricParams(low, max[c]!, 0, 255));
  const values = new Uint8Array(weights.length);
  forEachChannel(dims, axis, (c, i) => (values[i] = quantizeValue(weights[i]!, params[c]!.scale, params[c]!.zeroPoint, 0, 255)));
  return { values, scales: Float32Array.from(params, (p) => p.scale), zeroPoints: Uint8Array.from(params, (p) => p.zeroPoint) };
}

const INT32_MAX = 2 ** 31 - 1;

/**
 * int32 bias for a quantized Conv/Gemm: scale_c = inputScale * weightScale_c (the scale of the
 * int32 accumulator), zero point 0. Returns the scales too, as DequantizeLinear needs them.
 */
export function quantizeBiasInt32(bias: Float32Array, inputScale: number, weightScales: Float32Array): { values: Int32Array; scales: Float32Array } {
  const scales = Float32Array.from(bias, (_, c) => Math.fround(inputScale * weightScales[c]!));
  const values = Int32Array.from(bias, (b, c) => quantizeValue(b, scales[c]!, 0, -INT32_MAX, INT32_MAX));
  return { values, scales };
}
