import { describe, expect, it } from "vitest";
import { APPEND_LOGS, acquireOrFail, COMPLETE, createCommandExperiment, HEARTBEAT, launch, LOG_METRICS, points, registerRunner } from "./support/runner-protocol";
import { useTestServer } from "./support/use-test-server";
import { createWsClient } from "./support/ws-client";

const api = useTestServer();

/** Collects a subscription's events into `events` as they come, until `done` says so. */
async function collect<T>(iterator: AsyncIterableIterator<{ data?: T | null }>, events: T[], done: (events: T[]) => boolean): Promise<T[]> {
  for await (const event of iterator) {
    if (event.data) events.push(event.data);
    if (done(events)) break;
  }
  return events;
}

describe("run subscriptions over WebSocket", () => {
  it("runUpdated follows a run from queued to succeeded, and runMetrics streams new points of the asked keys", async () => {
    const experiment = await createCommandExperiment(api.admin);
    const run = await launch(api.admin, experiment.id);
    const client = createWsClient(api.server.url, api.server.adminToken);
    try {
      const updates = client.iterate<{ runUpdated: { status: string; progress: number | null } }>({
        query: `subscription($id: ID!) { runUpdated(id: $id) { status progress } }`,
        variables: { id: run.id },
      });
      const metrics = client.iterate<{ runMetrics: Array<{ key: string; points: Array<{ step: number; value: number }> }> }>({
        query: `subscription($run: ID!) { runMetrics(run: $run, keys: ["loss"]) { key points { step value } } }`,
        variables: { run: run.id },
      });
      const updatesSeen: Array<{ runUpdated: { status: string; progress: number | null } }> = [];
      const statuses = collect(updates, updatesSeen, (events) => events.at(-1)?.runUpdated.status === "SUCCEEDED");
      const streamedSteps: number[] = [];
      const streamed = (async () => {
        for await (const event of metrics) {
          for (const series of event.data?.runMetrics ?? []) {
            expect(series.key).toBe("loss");
            streamedSteps.push(...series.points.map((point) => point.step));
          }
          if (streamedSteps.includes(1009)) return;
        }
      })();

      const runner = await registerRunner(api.admin);
      const lease = await acquireOrFail(runner);
      const call = { job: lease.job.id, lease: lease.leaseId };
      // A heartbeat and one point at a time until BOTH subscriptions are live: each becomes live on
      // its own schedule, and events before that are not replayed.
      let step = 0;
      await expect
        .poll(async () => {
          await runner.client.ok(HEARTBEAT, { ...call, progress: 0.5 });
          await runner.client.ok(LOG_METRICS, { ...call, batch: `probe-${step}`, points: [...points("loss", step, 1), ...points("lr", step, 1)] });
          step += 1;
          return streamedSteps.length > 0 && updatesSeen.some((event) => event.runUpdated.status === "RUNNING" && event.runUpdated.progress === 0.5);
        }, { timeout: 30_000, interval: 100 })
        .toBe(true);
      await runner.client.ok(LOG_METRICS, { ...call, batch: "main", points: [...points("loss", 1000, 10), ...points("lr", 1000, 10)] });
      await runner.client.ok(APPEND_LOGS, { ...call, offset: 0, text: "done\n" });
      await runner.client.ok(COMPLETE, { ...call, result: { ok: true } });

      await streamed;
      expect(streamedSteps.slice(-10)).toEqual([1000, 1001, 1002, 1003, 1004, 1005, 1006, 1007, 1008, 1009]);
      const seen = (await statuses).map((event) => event.runUpdated);
      expect(seen.at(-1)).toEqual({ status: "SUCCEEDED", progress: 1 });
      expect(seen.some((event) => event.status === "RUNNING" && event.progress === 0.5)).toBe(true);
    } finally {
      await client.dispose();
    }
  });
});
