import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { FakeJob } from "./support/fake-api";
import { type RunnerFixture, runnerFixture } from "./support/runner-fixture";
import { isAlive, nodeScript } from "./support/runner-process";
import { waitFor } from "./support/wait-for";

/** A job that prints its pid, says "ready", and runs until killed; with `stubborn`, it ignores SIGTERM. */
function longJob(stubborn: boolean): string[] {
  return nodeScript(`
    ${stubborn ? `process.on("SIGTERM", () => console.log("got SIGTERM, carrying on"));` : ""}
    console.log("pid " + process.pid);
    console.log("ready");
    setInterval(() => {}, 1000);
  `);
}

describe("stopping a running job", () => {
  let fixture: RunnerFixture;

  beforeEach(async () => {
    fixture = await runnerFixture({ leaseSeconds: 1.2 });
  });

  afterEach(async () => {
    await fixture.stop();
  });

  async function readyPid(job: FakeJob): Promise<number> {
    const log = await waitFor("the job to be ready", () => {
      const text = fixture.api.run(job).log.toString();
      return text.includes("ready\n") ? text : undefined;
    });
    return Number(/pid (\d+)/.exec(log)?.[1]);
  }

  it("cancel: SIGTERM, SIGKILL after the grace period, then failJob(INFRA_ERROR, cancelled)", async () => {
    const job = fixture.api.addCommandJob({ argv: longJob(true) });
    const runner = fixture.start();
    const pid = await readyPid(job);
    const cancelledAt = Date.now();
    fixture.api.requestCancel(job);
    await fixture.waitForState(job, "CANCELLED");
    expect(Date.now() - cancelledAt).toBeGreaterThanOrEqual(1_000);
    expect(job.failure).toEqual({ kind: "INFRA_ERROR", message: "cancelled" });
    expect(isAlive(pid)).toBe(false);
    await waitFor("the SIGTERM line in the log", () => fixture.api.run(job).log.toString().includes("got SIGTERM, carrying on\n"));

    // The runner goes on with the next job.
    const next = fixture.api.addCommandJob({ argv: nodeScript("process.exit(0)") });
    await fixture.waitForState(next, "SUCCEEDED");
    expect(await runner.stop()).toBe(0);
  });

  it("LEASE_LOST: kills the job and drops it without reporting, then takes the next one", async () => {
    const job = fixture.api.addCommandJob({ argv: longJob(false) });
    const runner = fixture.start();
    const pid = await readyPid(job);
    const leaseId = job.leaseId;
    fixture.api.loseLease(job, "CANCELLED");
    await runner.waitForLog("the lease was lost; the job is dropped without a report");
    await waitFor("the job process to be gone", () => !isAlive(pid), 5_000);
    expect(job.reports).toEqual([]);
    const afterLoss = fixture.api.calls.filter((call) => call.variables.leaseId === leaseId && call.operation !== "Heartbeat");
    expect(afterLoss.map((call) => call.operation)).not.toContain("FailJob");

    const next = fixture.api.addCommandJob({ argv: nodeScript("console.log('second'); process.exit(0)") });
    await fixture.waitForState(next, "SUCCEEDED");
    expect(fixture.api.run(next).log.toString()).toBe("second\n");
    expect(await runner.stop()).toBe(0);
  });

  it("a re-leased job resumes the run's log after what the earlier attempt wrote", async () => {
    const job = fixture.api.addCommandJob({ argv: nodeScript(`console.log("attempt output"); process.exit(0)`) });
    // The first attempt's runner "dies": its lease is reaped and the job queued again.
    fixture.api.run(job).log = Buffer.from("from attempt 1 ✓\n");
    job.attempt = 1;
    const runner = fixture.start();
    await fixture.waitForState(job, "SUCCEEDED");
    expect(job.attempt).toBe(2);
    expect(fixture.api.run(job).log.toString()).toBe("from attempt 1 ✓\n--- attempt 2 of 3, runner test-runner ---\nattempt output\n");
    expect(await runner.stop()).toBe(0);
  });

  it("SIGTERM to the runner: stops the job, reports INFRA_ERROR so it is retried, exits 0", async () => {
    const job = fixture.api.addCommandJob({ argv: longJob(false) });
    const runner = fixture.start();
    const pid = await readyPid(job);
    expect(await runner.stop("SIGTERM")).toBe(0);
    expect(isAlive(pid)).toBe(false);
    expect(job.failure).toEqual({ kind: "INFRA_ERROR", message: "the runner shut down during the job" });
    expect(job.state).toBe("QUEUED");
    expect(await fixture.spooled()).toEqual([]);
  });
});
