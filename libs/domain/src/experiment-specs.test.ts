import { describe, expect, it } from "vitest";
import { DomainError } from "./errors";
import { ExperimentKind, requiredCapabilities, validateExperimentSpec } from "./experiment-specs";

describe("experiment specs", () => {
  it("fills the command kind's defaults", () => {
    expect(validateExperimentSpec(ExperimentKind.COMMAND, { argv: ["python3", "train.py"] })).toEqual({
      argv: ["python3", "train.py"],
      env: {},
      timeoutSeconds: 3600,
    });
  });

  it("names every problem of a bad spec in one INVALID_SPEC error", () => {
    try {
      validateExperimentSpec(ExperimentKind.COMMAND, { argv: [], env: { "BAD-NAME": "x" }, timeoutSeconds: 0, extra: true });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(DomainError);
      const domainError = error as DomainError;
      expect(domainError.reason).toBe("INVALID_SPEC");
      const problems = domainError.details.problems as string[];
      expect(problems.some((problem) => problem.startsWith("argv"))).toBe(true);
      expect(problems.some((problem) => problem.startsWith("env.BAD-NAME"))).toBe(true);
      expect(problems.some((problem) => problem.startsWith("timeoutSeconds"))).toBe(true);
      expect(problems.some((problem) => problem.includes("extra"))).toBe(true);
    }
  });

  it("says which runner capability a kind needs", () => {
    expect(requiredCapabilities(ExperimentKind.COMMAND)).toEqual(["command"]);
    expect(requiredCapabilities(ExperimentKind.PRETRAIN)).toEqual(["torch"]);
  });

  it("fills a pretrain spec's defaults from a dataset and an output model alone", () => {
    const spec = validateExperimentSpec(ExperimentKind.PRETRAIN, { dataset: { source: "synthetic" }, output: { model: "teacher" } });
    expect(spec).toMatchObject({
      dataset: { source: "synthetic", samples: 512, resolution: 16, classes: 4, seed: 0 },
      model: { channels: [32, 64], layersPerBlock: 1, attentionStages: [1], groups: 8, heads: 4 },
      schedule: { kind: "cosine", steps: 1000 },
      training: { steps: 200, batchSize: 32, seed: 0 },
      output: { model: "teacher", family: "unet" },
      device: "any",
    });
  });

  it("refuses a pretrain spec whose model cannot be built", () => {
    expect(() =>
      validateExperimentSpec(ExperimentKind.PRETRAIN, {
        dataset: { source: "imagenet" },
        model: { channels: [30], attentionStages: [3], groups: 8 },
        output: { model: "Teacher" },
      }),
    ).toThrow(/dataset.source.*model.*output.model|dataset.*model/s);
  });
});
