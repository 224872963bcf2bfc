// Deterministic generators for tests (no Math.random), as in libs/eval.
export function rng(seed: number): () => number {
  let s = seed >>> 0;
  // mulberry32
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Standard normal samples (Box-Muller). */
export function normals(count: number, seed: number, std = 1): Float32Array {
  const r = rng(seed);
  const out = new Float32Array(count);
  for (let i = 0; i < count; i += 2) {
    const m = std * Math.sqrt(-2 * Math.log(1 - r()));
    const angle = 2 * Math.PI * r();
    out[i] = m * Math.cos(angle);
    if (i + 1 < count) out[i + 1] = m * Math.sin(angle);
  }
  return out;
}
