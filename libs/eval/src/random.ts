// Seeded random numbers for sampling: xoshiro128** (Blackman & Vigna) on 32-bit integer
// arithmetic, seeded through splitmix32, and standard normals by Box-Muller. Everything is
// integer maths plus V8's own Math.log/sqrt/cos/sin (fdlibm ports, not the platform libm), so a
// seed gives the same numbers on every machine. It does not reproduce torch's generator.
//
// `stream` selects an independent sequence for the same seed: the sampler gives every image its
// own stream, so an image's noise does not depend on the batch it was generated in.

const TWO_PI = 2 * Math.PI;
const TWO_POW_32 = 4294967296;

/** splitmix32 step: a well-mixed 32-bit output from a 32-bit counter. */
function mix32(x: number): number {
  let z = x >>> 0;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
  return (z ^ (z >>> 16)) >>> 0;
}

export class Random {
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;
  private spare: number | null = null;

  /** seed: a safe integer (all 53 bits are used); stream: a non-negative safe integer. */
  constructor(seed: number, stream = 0) {
    if (!Number.isSafeInteger(seed)) throw new Error(`random: seed must be a safe integer, got ${seed}`);
    if (!Number.isSafeInteger(stream) || stream < 0) throw new Error(`random: stream must be a non-negative safe integer, got ${stream}`);
    // Fold seed and stream (each split in 32-bit halves) into a splitmix32 counter.
    let h = mix32(0x9e3779b9 ^ (seed >>> 0));
    h = mix32(h ^ Math.floor(seed / TWO_POW_32));
    h = mix32(h ^ (stream >>> 0) ^ 0x6a09e667);
    h = mix32(h ^ Math.floor(stream / TWO_POW_32));
    const state: number[] = [];
    for (let i = 0; i < 4; i++) {
      h = (h + 0x9e3779b9) >>> 0;
      state.push(mix32(h));
    }
    [this.s0, this.s1, this.s2, this.s3] = state as [number, number, number, number];
    if ((this.s0 | this.s1 | this.s2 | this.s3) === 0) this.s0 = 1; // the all-zero state is a fixed point
  }

  /** A generator in the given xoshiro128** state (four 32-bit words, not all zero): for tests. */
  static fromState(state: readonly [number, number, number, number]): Random {
    const random = new Random(0);
    [random.s0, random.s1, random.s2, random.s3] = state.map((word) => word >>> 0) as [number, number, number, number];
    return random;
  }

  /** Uniform 32-bit unsigned integer (xoshiro128**). */
  nextUint32(): number {
    const result = Math.imul(rotl(Math.imul(this.s1, 5), 7), 9) >>> 0;
    const t = this.s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    return result;
  }

  /** Uniform in [0, 1) with 53 random bits. */
  nextFloat(): number {
    const hi = this.nextUint32() >>> 5; // 27 bits
    const lo = this.nextUint32() >>> 6; // 26 bits
    return (hi * 67108864 + lo) / 9007199254740992;
  }

  /** Standard normal (Box-Muller; the second value of each pair is kept for the next call). */
  normal(): number {
    if (this.spare !== null) {
      const v = this.spare;
      this.spare = null;
      return v;
    }
    const u = 1 - this.nextFloat(); // (0, 1]: log(u) is finite
    const angle = TWO_PI * this.nextFloat();
    const radius = Math.sqrt(-2 * Math.log(u));
    this.spare = radius * Math.sin(angle);
    return radius * Math.cos(angle);
  }

  /** Fills out[offset .. offset + count) with standard normals. */
  fillNormal(out: Float32Array | Float64Array, offset = 0, count = out.length - offset): void {
    for (let i = 0; i < count; i++) out[offset + i] = this.normal();
  }
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}
