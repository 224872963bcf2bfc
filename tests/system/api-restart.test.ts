import { readdir } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { waitFor } from "../../apps/api/test/support/wait-for";
import { expectCompleteCurve } from "./support/expected-curve";
import { EMIT_METRICS, Platform } from "./support/platform";

let platform: Platform;

beforeAll(async () => {
  // A lease long enough to outlive the outage: the runner keeps its job while the API is down.
  platform = await Platform.start({ DISTILLERY_LEASE_SECONDS: "60" });
});
afterAll(() => platform?.stop());

async function spooledEntries(workDir: string): Promise<number> {
  const spool = join(workDir, "spool");
  const jobs = await readdir(spool).catch(() => [] as string[]);
  let entries = 0;
  for (const job of jobs) entries += (await readdir(join(spool, job)).catch(() => [] as string[])).length;
  return entries;
}

describe("the API killed and restarted while a runner streams metrics", () => {
  it("the runner spools to disk, replays when the API is back, and no point is lost", async () => {
    const runner = await platform.startRunner("streamer");
    const runId = await platform.launchCommand([process.execPath, EMIT_METRICS, "1000", "8", "loss,lr"]);
    await waitFor("the job to stream metrics", async () => {
      const summary = (await platform.admin.ok(`query($id: ID!) { run(id: $id) { summary } }`, { id: runId })).run.summary;
      return summary.loss !== undefined ? true : undefined;
    });

    await platform.api.kill();
    // While the API is down the job keeps printing, and the runner keeps what it cannot send on disk.
    await waitFor("the runner to spool", async () => ((await spooledEntries(runner.workDir)) >= 3 ? true : undefined), 60_000);
    await platform.api.restart();

    const finished = await waitFor("the run to finish", async () => {
      const run = await platform.run(runId);
      return ["SUCCEEDED", "FAILED", "CANCELLED"].includes(run.status) ? run : undefined;
    }, 120_000);
    expect(finished).toMatchObject({ status: "SUCCEEDED", attempt: 1 });
    const metrics = await platform.metrics(runId);
    expectCompleteCurve(metrics.find((series) => series.key === "loss"), "loss", 1000);
    expectCompleteCurve(metrics.find((series) => series.key === "lr"), "lr", 1000);
    await waitFor("the spool to drain", async () => ((await spooledEntries(runner.workDir)) === 0 ? true : undefined), 60_000);
  });
});
