// The trainer's noise schedule (libs/trainer/distillery_trainer/diffusion.py, NoiseSchedule),
// reproduced bit for bit: the TypeScript sampler must step exactly as the Python one did in
// training and distillation. Betas and their cumulative product are computed in float64 in the
// same order as Python/torch, then alphas_cumprod is rounded to float32 as diffusion.py stores it.

export type NoiseScheduleKind = "cosine" | "linear";

export interface NoiseScheduleSpec {
  kind: NoiseScheduleKind;
  steps: number;
}

const COSINE_OFFSET = 0.008;

/** Nichol & Dhariwal (2021): alpha_bar follows cos^2; betas capped at 0.999 (diffusion.py _cosine_betas). */
function cosineBetas(steps: number): Float64Array {
  const alphaBar = (u: number) => {
    // Python: math.cos((u + s) / (1 + s) * math.pi / 2) ** 2, evaluated left to right.
    const c = Math.cos((((u + COSINE_OFFSET) / (1 + COSINE_OFFSET)) * Math.PI) / 2);
    return c * c; // x ** 2 in CPython is the correctly rounded x * x
  };
  const betas = new Float64Array(steps);
  for (let i = 0; i < steps; i++) betas[i] = Math.min(1 - alphaBar((i + 1) / steps) / alphaBar(i / steps), 0.999);
  return betas;
}

/**
 * DDPM's 1e-4..0.02, scaled by 1000/steps (diffusion.py _linear_betas): torch.linspace in float64,
 * which fills the first half as start + step * i and the second half as end - step * (n - 1 - i).
 */
function linearBetas(steps: number): Float64Array {
  const scale = 1000 / steps;
  const start = scale * 1e-4;
  const end = scale * 0.02;
  const betas = new Float64Array(steps);
  if (steps === 1) {
    betas[0] = start;
    return betas;
  }
  const step = (end - start) / (steps - 1);
  const halfway = Math.floor(steps / 2);
  for (let i = 0; i < steps; i++) betas[i] = i < halfway ? start + step * i : end - step * (steps - i - 1);
  return betas;
}

export class NoiseSchedule {
  readonly kind: NoiseScheduleKind;
  /** Number of training timesteps (t = 0 .. steps - 1). */
  readonly steps: number;
  /** alpha_bar_t = prod_{s <= t} (1 - beta_s), float64 product rounded to float32 like diffusion.py. */
  readonly alphasCumprod: Float32Array;

  constructor(spec: NoiseScheduleSpec) {
    if (!Number.isInteger(spec.steps) || spec.steps < 1) throw new Error(`noise schedule: steps must be an integer >= 1, got ${spec.steps}`);
    let betas: Float64Array;
    if (spec.kind === "cosine") betas = cosineBetas(spec.steps);
    else if (spec.kind === "linear") betas = linearBetas(spec.steps);
    else throw new Error(`noise schedule: unknown kind ${JSON.stringify(spec.kind)} (expected "cosine" or "linear")`);
    this.kind = spec.kind;
    this.steps = spec.steps;
    this.alphasCumprod = new Float32Array(spec.steps);
    let product = 1;
    for (let i = 0; i < spec.steps; i++) {
      product *= 1 - betas[i]!; // torch.cumprod(1 - betas) in float64, sequentially
      this.alphasCumprod[i] = product;
    }
  }

  /** alpha_bar at t; t = -1 means clean data (1), as in diffusion.py. */
  alphaBar(t: number): number {
    if (t === -1) return 1;
    const value = this.alphasCumprod[t];
    if (value === undefined || !Number.isInteger(t)) throw new Error(`noise schedule: timestep ${t} outside -1..${this.steps - 1}`);
    return value;
  }

  /**
   * `steps` evenly spaced timesteps, descending from the last (1000/4 -> 999, 749, 499, 249), as
   * diffusion.py's ddim_timesteps: sampling starts from (almost) pure noise whatever the count.
   */
  ddimTimesteps(steps: number): number[] {
    if (!Number.isInteger(steps) || steps < 1 || steps > this.steps) {
      throw new Error(`noise schedule: steps must be in 1..${this.steps}, got ${steps}`);
    }
    const stride = this.steps / steps;
    return Array.from({ length: steps }, (_, i) => this.steps - 1 - Math.trunc(i * stride));
  }
}
