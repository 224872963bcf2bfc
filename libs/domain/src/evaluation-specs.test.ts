import { describe, expect, it } from "vitest";
import { DomainError } from "./errors";
import { ExperimentKind, validateExperimentSpec } from "./experiment-specs";

/** The problems of an INVALID_SPEC error. */
function problemsOf(kind: ExperimentKind, spec: unknown): string[] {
  try {
    validateExperimentSpec(kind, spec);
  } catch (error) {
    expect(error).toBeInstanceOf(DomainError);
    return (error as DomainError).details.problems as string[];
  }
  return [];
}

describe("quantize and evaluate specs", () => {
  it("fills a quantize spec's defaults: every method, percentile calibration over sampler trajectories", () => {
    expect(validateExperimentSpec(ExperimentKind.QUANTIZE, { source: "student@v2" })).toEqual({
      source: "student@v2",
      methods: ["fp16", "int8-dynamic", "int8-static"],
      calibration: { method: "percentile", percentile: 99.99, samples: 32, steps: 50, seed: 0, activations: "int8" },
      heldOutSamples: 8,
      timeoutSeconds: 86400,
    });
  });

  it("refuses unknown or repeated methods, a bad ref and an out-of-range percentile", () => {
    const problems = problemsOf(ExperimentKind.QUANTIZE, { source: "Not A Ref", methods: ["int8-static", "int8-static", "int4"], calibration: { percentile: 50 } });
    expect(problems.some((problem) => problem.startsWith("source"))).toBe(true);
    expect(problems.some((problem) => problem.startsWith("methods.2"))).toBe(true);
    expect(problems.some((problem) => problem.startsWith("calibration.percentile"))).toBe(true);
    expect(problemsOf(ExperimentKind.QUANTIZE, { source: "s@v1", methods: ["fp16", "fp16"] })).toEqual(["methods: each method at most once"]);
    expect(problemsOf(ExperimentKind.QUANTIZE, { source: "s@v1", methods: [] })[0]).toMatch(/^methods/);
  });

  it("fills an evaluate spec's protocol defaults", () => {
    expect(validateExperimentSpec(ExperimentKind.EVALUATE, { models: ["a@v1", "b@production"], protocol: { extractor: "fx@v1" } })).toEqual({
      models: ["a@v1", "b@production"],
      protocol: {
        extractor: "fx@v1",
        samples: 2000,
        sampler: { kind: "ddim", steps: 20, eta: 0 },
        batch: 16,
        threads: 2,
        latency: { warmupRuns: 1, runs: 5 },
        seed: 0,
      },
      timeoutSeconds: 86400,
    });
  });

  it("refuses an evaluate spec without models, with a repeated model or an impossible protocol", () => {
    expect(problemsOf(ExperimentKind.EVALUATE, { models: [], protocol: { extractor: "fx@v1" } })[0]).toMatch(/^models/);
    expect(problemsOf(ExperimentKind.EVALUATE, { models: ["a@v1", "a@v1"], protocol: { extractor: "fx@v1" } })).toEqual(["models: each model at most once"]);
    const problems = problemsOf(ExperimentKind.EVALUATE, { models: ["a@v1"], protocol: { samples: 1, sampler: { kind: "ddpm", steps: 0 }, batch: 0 } });
    for (const field of ["protocol.extractor", "protocol.samples", "protocol.sampler.kind", "protocol.sampler.steps", "protocol.batch"]) {
      expect(problems.some((problem) => problem.startsWith(field)), `${field} in ${problems.join(" | ")}`).toBe(true);
    }
  });

  it("lets a distill spec carry quantize and evaluate sections, validated like the kinds", () => {
    const distill = { teacher: "t@v1", dataset: { source: "synthetic" }, student: { derive: {} }, strategy: { output: {} }, output: { model: "s" } };
    const spec = validateExperimentSpec(ExperimentKind.DISTILL, { ...distill, quantize: { methods: ["int8-static"] }, evaluate: { protocol: { extractor: "fx@v1", samples: 64 } } });
    expect(spec.quantize).toMatchObject({ methods: ["int8-static"], calibration: { method: "percentile" } });
    expect(spec.evaluate).toMatchObject({ includeTeacher: true, protocol: { extractor: "fx@v1", samples: 64, sampler: { steps: 20 } } });
    expect(problemsOf(ExperimentKind.DISTILL, { ...distill, evaluate: {} })).toEqual(["evaluate.protocol: Invalid input: expected object, received undefined"]);
  });
});
