import { describe, expect, it } from "vitest";
import { Backoff } from "./backoff";

describe("Backoff", () => {
  it("doubles from the initial wait up to the cap, and starts over after reset", () => {
    const backoff = new Backoff({ initialMs: 100, maxMs: 1_000, random: () => 0.5 });
    expect([1, 2, 3, 4, 5, 6].map(() => backoff.next())).toEqual([100, 200, 400, 800, 1_000, 1_000]);
    expect(backoff.attempts).toBe(6);
    backoff.reset();
    expect(backoff.next()).toBe(100);
  });

  it("jitters within ±20%", () => {
    expect(new Backoff({ initialMs: 1_000, random: () => 0 }).next()).toBe(800);
    expect(new Backoff({ initialMs: 1_000, random: () => 0.999_999 }).next()).toBe(1_200);
  });
});
