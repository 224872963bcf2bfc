import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { APPEND_LOGS, acquireOrFail, COMPLETE, createCommandExperiment, FAIL, launch, registerRunner } from "./support/runner-protocol";
import { useTestServer } from "./support/use-test-server";
import { createWsClient } from "./support/ws-client";

const api = useTestServer();

interface Slice {
  offset: number;
  text: string;
  nextOffset: number;
  totalBytes: number;
}

const RUN_LOGS = `subscription($run: ID!, $offset: SafeInt! = 0) { runLogs(run: $run, offset: $offset) { offset text nextOffset totalBytes } }`;

/** Every slice of a runLogs subscription into `slices` as it comes; resolves when the server completes it. */
async function collect(iterator: AsyncIterableIterator<{ data?: { runLogs: Slice } | null; errors?: unknown }>, slices: Slice[]): Promise<Slice[]> {
  for await (const event of iterator) {
    expect(event.errors, JSON.stringify(event.errors)).toBeUndefined();
    slices.push(event.data!.runLogs);
  }
  return slices;
}

const textOf = (slices: Slice[]) => slices.map((slice) => slice.text).join("");

/** Each slice starts where the previous one ended: no gap, no byte twice. */
function expectContiguous(slices: Slice[], from: number) {
  let offset = from;
  for (const slice of slices) {
    expect(slice.offset).toBe(offset);
    expect(slice.nextOffset).toBe(offset + Buffer.byteLength(slice.text, "utf8"));
    offset = slice.nextOffset;
  }
}

/** A leased run, and an append that keeps track of the log's length as the runner does. */
async function leasedRun() {
  const experiment = await createCommandExperiment(api.admin);
  const run = await launch(api.admin, experiment.id);
  const runner = await registerRunner(api.admin);
  const lease = await acquireOrFail(runner);
  const call = { job: lease.job.id, lease: lease.leaseId };
  let length = 0;
  const append = async (text: string) => {
    const data = await runner.client.ok<{ appendLogs: { nextOffset: number } }>(APPEND_LOGS, { ...call, offset: length, text });
    length = data.appendLogs.nextOffset;
  };
  return { run, runner, call, append };
}

describe("Subscription.runLogs over WebSocket", () => {
  it("sends the stored log from the offset, then each append as it commits, and completes when the run has finished", async () => {
    const { run, runner, call, append } = await leasedRun();
    await append("one\n");
    await append("two\n");
    const client = createWsClient(api.server.url, api.server.adminToken);
    try {
      const fromStart: Slice[] = [];
      const fromFour: Slice[] = [];
      const startDone = collect(client.iterate({ query: RUN_LOGS, variables: { run: run.id } }), fromStart);
      const fourDone = collect(client.iterate({ query: RUN_LOGS, variables: { run: run.id, offset: 4 } }), fromFour);

      // The backlog first, before anything more is written.
      await expect.poll(() => textOf(fromStart), { timeout: 30_000 }).toBe("one\ntwo\n");
      await expect.poll(() => textOf(fromFour), { timeout: 30_000 }).toBe("two\n");
      // Then every append, as it commits (offsets count UTF-8 bytes: "ü" is two).
      await append("drei ü\n");
      await expect.poll(() => textOf(fromStart), { timeout: 30_000 }).toBe("one\ntwo\ndrei ü\n");
      await append("four\n");
      await expect.poll(() => textOf(fromFour), { timeout: 30_000 }).toBe("two\ndrei ü\nfour\n");
      await runner.client.ok(COMPLETE, { ...call, result: null });

      // The run finished: both subscriptions complete, each byte sent exactly once.
      expect(textOf(await startDone)).toBe("one\ntwo\ndrei ü\nfour\n");
      expectContiguous(fromStart, 0);
      expect(textOf(await fourDone)).toBe("two\ndrei ü\nfour\n");
      expectContiguous(fromFour, 4);
      expect(fromStart.at(-1)!.totalBytes).toBe(Buffer.byteLength("one\ntwo\ndrei ü\nfour\n"));

      // A finished run's log is sent whole and the subscription completes at once.
      const replay = await collect(client.iterate({ query: RUN_LOGS, variables: { run: run.id, offset: 8 } }), []);
      expect(textOf(replay)).toBe("drei ü\nfour\n");
    } finally {
      await client.dispose();
    }
  });

  it("sends a long stored log in slices of at most 1 MiB", async () => {
    const { run, runner, call, append } = await leasedRun();
    const mib = 1024 * 1024;
    await append("a".repeat(mib));
    await append("b".repeat(mib));
    await append("the end\n");
    await runner.client.ok(FAIL, { ...call, kind: "USER_ERROR", message: "exit 1" });
    const client = createWsClient(api.server.url, api.server.adminToken);
    try {
      const slices = await collect(client.iterate({ query: RUN_LOGS, variables: { run: run.id } }), []);
      expect(slices.length).toBeGreaterThanOrEqual(3);
      for (const slice of slices) expect(Buffer.byteLength(slice.text, "utf8")).toBeLessThanOrEqual(mib);
      expectContiguous(slices, 0);
      expect(textOf(slices)).toBe(`${"a".repeat(mib)}${"b".repeat(mib)}the end\n`);
    } finally {
      await client.dispose();
    }
  });

  it("fails with RUN_NOT_FOUND for an unknown run", async () => {
    const client = createWsClient(api.server.url, api.server.adminToken);
    try {
      const events: Array<{ errors?: Array<{ message: string; extensions?: { code?: string; reason?: string } }> }> = [];
      for await (const event of client.iterate({ query: RUN_LOGS, variables: { run: randomUUID() } })) events.push(event as (typeof events)[number]);
      expect(events).toHaveLength(1);
      expect(events[0]!.errors?.[0]?.extensions).toMatchObject({ code: "NOT_FOUND", reason: "RUN_NOT_FOUND" });
    } finally {
      await client.dispose();
    }
  });
});
