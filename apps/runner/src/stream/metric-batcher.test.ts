import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { MetricPointInput } from "../api/types";
import { MetricBatcher } from "./metric-batcher";

const point = (step: number): MetricPointInput => ({ key: "loss", step, value: 1 / (step + 1) });

describe("MetricBatcher", () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it("sends a full batch of 500 at once and the rest 500 ms after its first point", () => {
    const batches: MetricPointInput[][] = [];
    const batcher = new MetricBatcher((points) => batches.push(points));
    for (let step = 0; step < 1_201; step++) batcher.add(point(step));
    expect(batches.map((batch) => batch.length)).toEqual([500, 500]);
    vi.advanceTimersByTime(499);
    expect(batches).toHaveLength(2);
    vi.advanceTimersByTime(1);
    expect(batches.map((batch) => batch.length)).toEqual([500, 500, 201]);
    expect(batches.flat().map((p) => p.step)).toEqual(Array.from({ length: 1_201 }, (_, step) => step));
  });

  it("a slow trickle goes out every 500 ms, not per point", () => {
    const batches: MetricPointInput[][] = [];
    const batcher = new MetricBatcher((points) => batches.push(points));
    for (let step = 0; step < 10; step++) {
      batcher.add(point(step));
      vi.advanceTimersByTime(100);
    }
    expect(batches.map((batch) => batch.map((p) => p.step))).toEqual([
      [0, 1, 2, 3, 4],
      [5, 6, 7, 8, 9],
    ]);
  });

  it("flush() sends what is there, and nothing when empty", () => {
    const batches: MetricPointInput[][] = [];
    const batcher = new MetricBatcher((points) => batches.push(points), { maxPoints: 3 });
    batcher.flush();
    batcher.add(point(1));
    batcher.flush();
    vi.advanceTimersByTime(1_000);
    expect(batches).toEqual([[point(1)]]);
  });
});
