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
  });
});
