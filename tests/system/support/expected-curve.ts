import { expect } from "vitest";

/** What fixtures/emit-metrics.js prints for `key`: steps 0..count-1, values from (key, step) alone. */
export function expectCompleteCurve(series: { key: string; totalPoints: number; points: Array<{ step: number; value: number }> } | undefined, key: string, count: number) {
  expect(series, `no ${key} series`).toBeDefined();
  expect(series!.totalPoints).toBe(count);
  expect(series!.points.map((point) => point.step)).toEqual(Array.from({ length: count }, (_, step) => step));
  for (const point of series!.points) expect(point.value).toBeCloseTo(key.length + 1 / (1 + point.step), 12);
}
