import { describe, expect, it } from "vitest";
import { JobState, jobStatesOf, RunStatus, runStatusOf } from "./runs";

describe("run status from job state", () => {
  it("maps every job state and back", () => {
    expect(runStatusOf(JobState.LEASED)).toBe(RunStatus.RUNNING);
    expect(runStatusOf(JobState.DEAD)).toBe(RunStatus.FAILED);
    expect(jobStatesOf(RunStatus.RUNNING)).toEqual([JobState.LEASED, JobState.RUNNING]);
    expect(jobStatesOf(RunStatus.FAILED)).toEqual([JobState.FAILED, JobState.DEAD]);
    for (const status of Object.values(RunStatus)) {
      for (const state of jobStatesOf(status)) expect(runStatusOf(state)).toBe(status);
    }
  });
});
