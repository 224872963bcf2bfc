import { describe, expect, it } from "vitest";
import { dominatedFlags, type Objectives } from "./pareto";

function bruteForce(points: readonly Objectives[]): boolean[] {
  return points.map((p) =>
    points.some(
      (q) =>
        q.fid <= p.fid &&
        q.latencyP50Ms <= p.latencyP50Ms &&
        q.peakMemoryBytes <= p.peakMemoryBytes &&
        (q.fid < p.fid || q.latencyP50Ms < p.latencyP50Ms || q.peakMemoryBytes < p.peakMemoryBytes),
    ),
  );
}

/** Deterministic pseudo-random numbers (mulberry32). */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const point = (fid: number, latencyP50Ms: number, peakMemoryBytes: number): Objectives => ({ fid, latencyP50Ms, peakMemoryBytes });

describe("dominatedFlags", () => {
  it("handles the empty set, one point, and equal points (which never dominate each other)", () => {
    expect(dominatedFlags([])).toEqual([]);
    expect(dominatedFlags([point(1, 1, 1)])).toEqual([false]);
    expect(dominatedFlags([point(1, 1, 1), point(1, 1, 1)])).toEqual([false, false]);
    expect(dominatedFlags([point(1, 1, 1), point(1, 1, 1), point(1, 1, 2)])).toEqual([false, false, true]);
  });

  it("counts a tie on two objectives and a win on the third as dominance, in every position", () => {
    expect(dominatedFlags([point(2, 1, 1), point(1, 1, 1)])).toEqual([true, false]);
    expect(dominatedFlags([point(1, 2, 1), point(1, 1, 1)])).toEqual([true, false]);
    expect(dominatedFlags([point(1, 1, 2), point(1, 1, 1)])).toEqual([true, false]);
    expect(dominatedFlags([point(1, 2, 3), point(3, 2, 1), point(2, 1, 3)])).toEqual([false, false, false]);
  });

  it("agrees with the O(n^2) definition on random sets full of ties", () => {
    const next = random(7);
    for (let round = 0; round < 300; round += 1) {
      const size = 1 + Math.floor(next() * 60);
      const grid = 1 + Math.floor(next() * 6);
      const points = Array.from({ length: size }, () =>
        point(Math.floor(next() * grid), Math.floor(next() * grid) / 4, Math.floor(next() * grid) * 1024),
      );
      expect(dominatedFlags(points)).toEqual(bruteForce(points));
    }
  });

  it("takes well under a second for 10,000 points", () => {
    const next = random(11);
    const points = Array.from({ length: 10_000 }, () => point(next() * 100, next() * 50, Math.floor(next() * 1e9)));
    const started = performance.now();
    const flags = dominatedFlags(points);
    expect(performance.now() - started).toBeLessThan(1000);
    expect(flags).toEqual(bruteForce(points));
  });
});
