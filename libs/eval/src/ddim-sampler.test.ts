import * as ort from "onnxruntime-node";
import { beforeAll, describe, expect, it } from "vitest";
import { ddimSample, samplerCalibrationFeeds, type DdimSampleOptions, type DdimStepInput } from "./ddim-sampler";
import { NoiseSchedule } from "./noise-schedule";
import { toyExtractor, toyUnet } from "./toy-models.test-helper";
import { describeWithTorch, fixturePath, readFixtureJson } from "./torch-fixture.test-helper";

const C = 2;
const R = 8;
const PER_IMAGE = C * R * R;
const cosine = new NoiseSchedule({ kind: "cosine", steps: 1000 });

function maxAbsDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i]! - b[i]!));
  return max;
}

describe("ddimSample (toy model)", () => {
  let session: ort.InferenceSession;
  beforeAll(async () => {
    session = await toyUnet(C, R);
  });
  const base = (overrides: Partial<DdimSampleOptions> = {}): DdimSampleOptions => ({
    channels: C,
    resolution: R,
    classLabels: [0, 1, 2, 3, 4],
    steps: 6,
    seed: 11,
    batch: 5,
    ...overrides,
  });

  it("gives the same images for a seed whatever the batch size, with eta 0 and eta 1", async () => {
    for (const eta of [0, 1]) {
      const whole = await ddimSample(session, cosine, base({ eta }));
      for (const batch of [1, 2, 3]) {
        const split = await ddimSample(session, cosine, base({ eta, batch }));
        expect(maxAbsDifference(split.images, whole.images), `eta ${eta} batch ${batch}`).toBe(0);
      }
      const again = await ddimSample(session, cosine, base({ eta }));
      expect(Array.from(again.images)).toEqual(Array.from(whole.images));
      const otherSeed = await ddimSample(session, cosine, base({ eta, seed: 12 }));
      expect(maxAbsDifference(otherSeed.images, whole.images)).toBeGreaterThan(0.01);
    }
  });

  it("returns N*C*H*W images in [-1, 1], clipped or not, with timings", async () => {
    for (const clipSample of [true, false]) {
      const { images, onnxRunMs, totalMs } = await ddimSample(session, cosine, base({ clipSample }));
      expect(images).toHaveLength(5 * PER_IMAGE);
      expect(Math.min(...images)).toBeGreaterThanOrEqual(-1);
      expect(Math.max(...images)).toBeLessThanOrEqual(1);
      expect(onnxRunMs).toBeGreaterThan(0);
      expect(totalMs).toBeGreaterThanOrEqual(onnxRunMs);
    }
  });

  it("feeds each image its own class label", async () => {
    const a = await ddimSample(session, cosine, base({ classLabels: [0, 0] }));
    const b = await ddimSample(session, cosine, base({ classLabels: [0, 3] }));
    expect(maxAbsDifference(a.images.subarray(0, PER_IMAGE), b.images.subarray(0, PER_IMAGE))).toBe(0);
    expect(maxAbsDifference(a.images.subarray(PER_IMAGE), b.images.subarray(PER_IMAGE))).toBeGreaterThan(0.01);
  });

  it("adds noise with eta > 0 and not with eta = 0", async () => {
    const deterministic = await ddimSample(session, cosine, base({ eta: 0 }));
    const stochastic = await ddimSample(session, cosine, base({ eta: 0.5 }));
    expect(maxAbsDifference(deterministic.images, stochastic.images)).toBeGreaterThan(0.01);
  });

  it("does one step by the DDIM formula, clipping x0 only when clipSample", async () => {
    const noise = new Float32Array(PER_IMAGE).map((_, i) => Math.sin(i) * 1.5);
    const run = (clipSample: boolean) => ddimSample(session, cosine, base({ classLabels: [2], steps: 1, initialNoise: noise, clipSample }));
    const eps = (await session.run({
      x: new ort.Tensor("float32", noise, [1, C, R, R]),
      t: new ort.Tensor("int64", BigInt64Array.from([999n]), [1]),
      class: new ort.Tensor("int64", BigInt64Array.from([2n]), [1]),
    }))["eps"]!.data as Float32Array;
    const a = cosine.alphaBar(999);
    const x0 = Array.from(noise, (x, i) => (x - Math.sqrt(1 - a) * eps[i]!) / Math.sqrt(a));
    expect(Math.max(...x0.map(Math.abs))).toBeGreaterThan(10); // a_999 ~ 5e-5 amplifies x - eps
    const expected = x0.map((v) => Math.min(1, Math.max(-1, v)));
    expect(maxAbsDifference((await run(true)).images, expected)).toBeLessThan(1e-6);
    expect(maxAbsDifference((await run(false)).images, expected)).toBeLessThan(1e-6); // the last step returns clip(x0) too
    // Two steps: the clipped x0 of step one is re-noised, the unclipped one explodes.
    const two = (clipSample: boolean) => ddimSample(session, cosine, base({ classLabels: [2], steps: 2, initialNoise: noise, clipSample }));
    expect(maxAbsDifference((await two(true)).images, (await two(false)).images)).toBeGreaterThan(0.1);
  });

  it("shows every model input to onStep, step by step and batch by batch", async () => {
    const seen: DdimStepInput[] = [];
    const noise = new Float32Array(3 * PER_IMAGE).map((_, i) => Math.cos(i));
    await ddimSample(session, cosine, base({ classLabels: [1, 2, 3], batch: 2, steps: 3, initialNoise: noise, onStep: (s) => seen.push(s) }));
    expect(seen.map((s) => [s.t, s.tPrev, s.batch, s.classLabels])).toEqual([
      [999, 666, 2, [1, 2]],
      [666, 333, 2, [1, 2]],
      [333, -1, 2, [1, 2]],
      [999, 666, 1, [3]],
      [666, 333, 1, [3]],
      [333, -1, 1, [3]],
    ]);
    expect(Array.from(seen[0]!.x)).toEqual(Array.from(noise.subarray(0, 2 * PER_IMAGE)));
    expect(Array.from(seen[3]!.x)).toEqual(Array.from(noise.subarray(2 * PER_IMAGE)));
    expect(seen[1]!.x).not.toBe(seen[0]!.x); // a fresh array per step, safe to keep
  });

  it("rejects bad options and a model without the UNet's inputs", async () => {
    await expect(ddimSample(session, cosine, base({ classLabels: [] }))).rejects.toThrow(/classLabels/);
    await expect(ddimSample(session, cosine, base({ classLabels: [1.5] }))).rejects.toThrow(/label/);
    await expect(ddimSample(session, cosine, base({ batch: 0 }))).rejects.toThrow(/batch/);
    await expect(ddimSample(session, cosine, base({ steps: 1001 }))).rejects.toThrow(/steps/);
    await expect(ddimSample(session, cosine, base({ initialNoise: new Float32Array(3) }))).rejects.toThrow(/initialNoise/);
    const extractor = await toyExtractor(C, R, new Float32Array(PER_IMAGE * 4), 4);
    await expect(ddimSample(extractor, cosine, base())).rejects.toThrow(/inputs x, t, class/);
  });
});

describe("samplerCalibrationFeeds (toy model)", () => {
  it("keeps the inputs of every step for every batch, classes cycling", async () => {
    const session = await toyUnet(C, R);
    const feeds = await samplerCalibrationFeeds(session, cosine, { channels: C, resolution: R, classes: 4, samples: 10, steps: 5, seed: 3, batch: 4 });
    expect(feeds).toHaveLength(3 * 5); // ceil(10 / 4) batches x 5 steps
    const timesteps = new Set<number>();
    const classes: number[] = [];
    for (const feed of feeds) {
      expect(Object.keys(feed).sort()).toEqual(["class", "t", "x"]);
      const batch = feed["x"]!.dims[0]!;
      expect(feed["x"]!.type).toBe("float32");
      expect(feed["x"]!.dims).toEqual([batch, C, R, R]);
      expect(feed["t"]!.type).toBe("int64");
      expect(feed["class"]!.dims).toEqual([batch]);
      const t = Array.from(feed["t"]!.data as BigInt64Array, Number);
      expect(new Set(t).size).toBe(1);
      timesteps.add(t[0]!);
      if (t[0] === 999) classes.push(...Array.from(feed["class"]!.data as BigInt64Array, Number));
      await session.run(feed); // usable as is
    }
    expect([...timesteps].sort((a, b) => b - a)).toEqual(cosine.ddimTimesteps(5));
    expect(classes).toEqual([0, 1, 2, 3, 0, 1, 2, 3, 0, 1]);
    // The first step's inputs are the seeded x_T, the same as ddimSample's.
    const first: Float32Array[] = [];
    await ddimSample(session, cosine, { channels: C, resolution: R, classLabels: [0, 1, 2, 3], steps: 5, seed: 3, batch: 4, onStep: (s) => first.push(s.x) });
    expect(Array.from(feeds[0]!["x"]!.data as Float32Array)).toEqual(Array.from(first[0]!));
  });
});

interface SamplerFixture {
  onnx: string;
  shape: [number, number, number, number];
  labels: number[];
  trajectories: Record<"cosine" | "linear", { steps: number; timesteps: number[]; noise: number[]; inputs: number[][]; result: number[] }>;
}

describeWithTorch("ddimSample against diffusion.py's ddim_sample (exported UNet)", () => {
  it("sees the same model input at every step (within 1e-4 of the step's scale) and the same result, cosine and linear, batch 4 and 3", async () => {
    const fixture = readFixtureJson<SamplerFixture>("sampler.json");
    const session = await ort.InferenceSession.create(fixturePath("unet.onnx"), { executionProviders: ["cpu"], intraOpNumThreads: 1 });
    const [, channels, resolution] = fixture.shape;
    for (const kind of ["cosine", "linear"] as const) {
      const trajectory = fixture.trajectories[kind];
      const schedule = new NoiseSchedule({ kind, steps: 1000 });
      expect(schedule.ddimTimesteps(trajectory.steps)).toEqual(trajectory.timesteps);
      for (const batch of [4, 3]) {
        const inputs: Float32Array[] = [];
        const { images } = await ddimSample(session, schedule, {
          channels,
          resolution,
          classLabels: fixture.labels,
          steps: trajectory.steps,
          seed: 0,
          batch,
          clipSample: false,
          initialNoise: Float32Array.from(trajectory.noise),
          onStep: (s) => inputs.push(s.x),
        });
        // Steps of the first batch (all images when batch = 4): compare with Python's full batch.
        const perImage = channels * resolution * resolution;
        for (let step = 0; step < trajectory.steps; step++) {
          const expected = trajectory.inputs[step]!.slice(0, inputs[step]!.length);
          const scale = Math.max(1, ...expected.map(Math.abs));
          expect(maxAbsDifference(inputs[step]!, expected) / scale, `${kind} batch ${batch} step ${step}`).toBeLessThan(1e-4);
        }
        expect(inputs[0]!.length).toBe(batch * perImage);
        const clipped = trajectory.result.map((v) => Math.min(1, Math.max(-1, v)));
        expect(maxAbsDifference(images, clipped), `${kind} batch ${batch} result`).toBeLessThan(1e-4);
      }
    }
  });
});
