import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type RunnerFixture, runnerFixture } from "./support/runner-fixture";
import { nodeScript } from "./support/runner-process";
import { waitFor } from "./support/wait-for";

const POINTS = 300;

/**
 * Waits for the file `$TRIGGER` (so the test decides when), then prints POINTS metric points
 * interleaved with log lines, a few milliseconds apart, and exits 0.
 */
const triggeredJob = nodeScript(`
  const fs = require("fs");
  const wait = setInterval(() => {
    if (!fs.existsSync(process.env.TRIGGER)) return;
    clearInterval(wait);
    let step = 0;
    const tick = setInterval(() => {
      for (let i = 0; i < 10 && step < ${POINTS}; i++, step++) {
        console.log(JSON.stringify({ metric: "loss", step, value: step / 7 }));
        if (step % 10 === 0) console.log("line " + step + " ✓");
      }
      if (step >= ${POINTS}) { clearInterval(tick); console.log("done"); process.exit(0); }
    }, 5);
  }, 20);
`);

function expectedLog(): string {
  const lines: string[] = [];
  for (let step = 0; step < POINTS; step += 10) lines.push(`line ${step} ✓`);
  return `${[...lines, "done"].join("\n")}\n`;
}

describe("the spool", () => {
  let fixture: RunnerFixture;
  let trigger: string;

  beforeEach(async () => {
    fixture = await runnerFixture({ leaseSeconds: 1.2 });
    trigger = join(fixture.workDir, "go");
  });

  afterEach(async () => {
    await fixture.stop();
  });

  function expectEverythingOnceInOrder(job: Parameters<RunnerFixture["api"]["run"]>[0]): void {
    const run = fixture.api.run(job);
    expect(run.metrics.map((point) => point.step)).toEqual(Array.from({ length: POINTS }, (_, step) => step));
    expect(run.log.toString("utf8")).toBe(expectedLog());
    expect(job.reports).toEqual([{ type: "complete", leaseId: job.leaseId }]);
  }

  it("keeps the job running while the API is down, then replays everything once, in order", async () => {
    const job = fixture.api.addCommandJob({ argv: triggeredJob, env: { TRIGGER: trigger } });
    const runner = fixture.start();
    await waitFor("the job to be running", () => job.heartbeats > 0);
    await fixture.api.stop();
    await writeFile(trigger, "");

    // The job finishes while the API is away: its output and its completion wait on disk.
    await runner.waitForLog("job finished");
    const entries = await fixture.spooledEntries();
    expect(entries.at(-1)?.payload.type).toBe("complete");
    expect(entries.filter((entry) => entry.payload.type === "metrics").length).toBeGreaterThan(0);
    expect(job.state).toBe("RUNNING");

    await fixture.api.restart();
    await fixture.waitForState(job, "SUCCEEDED");
    expectEverythingOnceInOrder(job);
    await waitFor("an empty spool", async () => (await fixture.spooled()).length === 0);
    expect(await runner.stop()).toBe(0);
  });

  it("is dedupe-safe: answers lost after the API applied a call are replayed without doubling anything", async () => {
    fixture.api.dropResponses.set("LogMetrics", 2);
    fixture.api.dropResponses.set("AppendLogs", 2);
    fixture.api.dropResponses.set("CompleteJob", 1);
    await writeFile(trigger, "");
    const job = fixture.api.addCommandJob({ argv: triggeredJob, env: { TRIGGER: trigger } });
    const runner = fixture.start();
    await fixture.waitForState(job, "SUCCEEDED");
    await waitFor("the completion to be acknowledged", () => fixture.api.callsOf("CompleteJob").length === 2);
    expectEverythingOnceInOrder(job);
    const batchIds = fixture.api.callsOf("LogMetrics").map((call) => call.variables.batchId as string);
    expect(batchIds.length).toBeGreaterThan(new Set(batchIds).size);
    expect(await runner.stop()).toBe(0);
  });

  it("a restarted runner replays the spool its killed predecessor left", async () => {
    const job = fixture.api.addCommandJob({ argv: triggeredJob, env: { TRIGGER: trigger } });
    const first = fixture.start();
    await waitFor("the job to be running", () => job.heartbeats > 0);
    await fixture.api.stop();
    await writeFile(trigger, "");
    await first.waitForLog("job finished");
    await waitFor("the completion on disk", async () => (await fixture.spooledEntries()).at(-1)?.payload.type === "complete");
    await first.stop("SIGKILL");
    expect(job.state).toBe("RUNNING");

    // The API is still down when the new process starts: it waits, then replays.
    const second = fixture.start();
    await second.waitForLog("replaying the spool a previous runner process left");
    await fixture.api.restart();
    await fixture.waitForState(job, "SUCCEEDED");
    expectEverythingOnceInOrder(job);
    await waitFor("an empty spool", async () => (await fixture.spooled()).length === 0);
    expect(await second.stop()).toBe(0);
  });
});
