import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { expectCompleteCurve } from "./support/expected-curve";
import { waitFor } from "../../apps/api/test/support/wait-for";
import { EMIT_METRICS, Platform } from "./support/platform";

const LEASE_SECONDS = 4;
let platform: Platform;

beforeAll(async () => {
  platform = await Platform.start({ DISTILLERY_LEASE_SECONDS: String(LEASE_SECONDS), DISTILLERY_RETRY_BACKOFF_SECONDS: "0.1" });
});
afterAll(() => platform?.stop());

describe("a runner killed with SIGKILL in the middle of a job", () => {
  it("loses its lease, the other runner re-runs the job, and every point 0..999 of each key is stored exactly once", async () => {
    const first = await platform.startRunner("runner-a");
    const second = await platform.startRunner("runner-b");
    // 1,000 steps, 10 ms apart: about 10 s of streaming.
    const runId = await platform.launchCommand([process.execPath, EMIT_METRICS, "1000", "10", "loss,acc"], { maxAttempts: 3 });

    // Wait until the job streams, then kill whichever runner holds it.
    const holder = await waitFor("the job to stream metrics", async () => {
      const run = await platform.run(runId);
      const summary = (await platform.admin.ok(`query($id: ID!) { run(id: $id) { summary } }`, { id: runId })).run.summary;
      return run.job.state === "RUNNING" && (summary.loss !== undefined) ? run.job.runner!.name : undefined;
    });
    const [victim, survivor] = holder === first.name ? [first, second] : [second, first];
    await victim.kill();
    const killedAt = Date.now();

    const released = await waitFor("the job to be leased again", async () => {
      const run = await platform.run(runId);
      return run.job.attempt === 2 ? run : undefined;
    });
    const releasedAfterMs = Date.now() - killedAt;
    expect(released.job.runner?.name).toBe(survivor.name);
    // The protocol's promise: a dead runner's job is leased again within two lease lengths.
    expect(releasedAfterMs).toBeLessThan(2 * LEASE_SECONDS * 1000);

    const finished = await waitFor("the run to finish", async () => {
      const run = await platform.run(runId);
      return ["SUCCEEDED", "FAILED", "CANCELLED"].includes(run.status) ? run : undefined;
    }, 120_000);
    expect(finished).toMatchObject({ status: "SUCCEEDED", attempt: 2, job: { state: "SUCCEEDED", runner: { name: survivor.name } } });

    const metrics = await platform.metrics(runId);
    expect(metrics.map((series) => series.key).sort()).toEqual(["acc", "loss"]);
    expectCompleteCurve(metrics.find((series) => series.key === "loss"), "loss", 1000);
    expectCompleteCurve(metrics.find((series) => series.key === "acc"), "acc", 1000);
  });
});
