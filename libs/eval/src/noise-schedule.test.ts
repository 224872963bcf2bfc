import { describe, expect, it } from "vitest";
import { NoiseSchedule } from "./noise-schedule";
import { describeWithTorch, readFixtureJson } from "./torch-fixture.test-helper";

describe("NoiseSchedule", () => {
  it("starts near 1 and decreases to near 0 for both kinds", () => {
    for (const kind of ["cosine", "linear"] as const) {
      const table = new NoiseSchedule({ kind, steps: 1000 }).alphasCumprod;
      expect(table).toHaveLength(1000);
      expect(table[0]!).toBeGreaterThan(0.999);
      expect(table[999]!).toBeLessThan(1e-4);
      for (let t = 1; t < 1000; t++) expect(table[t]!).toBeLessThan(table[t - 1]!);
    }
  });

  it("spaces DDIM timesteps from the last one down, like diffusion.py's example", () => {
    const schedule = new NoiseSchedule({ kind: "cosine", steps: 1000 });
    expect(schedule.ddimTimesteps(4)).toEqual([999, 749, 499, 249]);
    expect(schedule.ddimTimesteps(1)).toEqual([999]);
    expect(schedule.ddimTimesteps(1000)).toEqual(Array.from({ length: 1000 }, (_, i) => 999 - i));
  });

  it("reads alpha_bar with t = -1 as clean data and rejects bad input", () => {
    const schedule = new NoiseSchedule({ kind: "linear", steps: 10 });
    expect(schedule.alphaBar(-1)).toBe(1);
    expect(schedule.alphaBar(3)).toBe(schedule.alphasCumprod[3]);
    expect(() => schedule.alphaBar(10)).toThrow(/outside/);
    expect(() => schedule.ddimTimesteps(11)).toThrow(/1\.\.10/);
    expect(() => schedule.ddimTimesteps(0)).toThrow(/1\.\.10/);
    expect(() => new NoiseSchedule({ kind: "quadratic" as "linear", steps: 10 })).toThrow(/unknown kind/);
    expect(() => new NoiseSchedule({ kind: "cosine", steps: 0 })).toThrow(/steps/);
  });
});

interface ScheduleTables {
  [key: string]: { alphas_cumprod: number[]; ddim_timesteps: Record<string, number[]> };
}

describeWithTorch("NoiseSchedule against diffusion.py", () => {
  it("has bit-identical float32 alphas_cumprod and the same DDIM timesteps (cosine and linear, 1 to 4000 steps)", () => {
    const tables = readFixtureJson<ScheduleTables>("schedules.json");
    const keys = Object.keys(tables);
    expect(keys.length).toBeGreaterThanOrEqual(12);
    for (const key of keys) {
      const [kind, steps] = key.split("/") as ["cosine" | "linear", string];
      const expected = tables[key]!;
      const schedule = new NoiseSchedule({ kind, steps: Number(steps) });
      // toEqual on arrays of numbers is exact; float32 -> double is exact on both sides.
      expect(Array.from(schedule.alphasCumprod), key).toEqual(expected.alphas_cumprod);
      for (const [count, timesteps] of Object.entries(expected.ddim_timesteps)) {
        expect(schedule.ddimTimesteps(Number(count)), `${key} ddim ${count}`).toEqual(timesteps);
      }
    }
  });
});
