import { mkdtemp, readdir, rm, writeFile, mkdir } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ApiError } from "@distillery/client";
import { MemoryReportingApi } from "../../test/support/memory-reporting-api";
import { memoryLogger } from "../../test/support/memory-logger";
import { waitFor } from "../../test/support/wait-for";
import { Outbox } from "./outbox";
import type { SpoolPayload } from "./spool-entry";
import { SpoolStore } from "./spool-store";

const fast = { backoff: { initialMs: 5, maxMs: 20 } };
const JOB = "job-1";
const LEASE = "lease-1";

function metrics(batchId: string, ...steps: number[]): SpoolPayload {
  return { type: "metrics", batchId, points: steps.map((step) => ({ key: "loss", step, value: step / 10 })) };
}

describe("Outbox", () => {
  let dir: string;
  let store: SpoolStore;
  let api: MemoryReportingApi;
  const open: Outbox[] = [];

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "outbox-"));
    store = new SpoolStore(join(dir, "spool"));
    api = new MemoryReportingApi();
  });

  afterEach(async () => {
    await Promise.all(open.splice(0).map((outbox) => outbox.close()));
    await rm(dir, { recursive: true, force: true });
  });

  async function openOutbox(options = fast): Promise<Outbox> {
    const outbox = await Outbox.open(store, api, memoryLogger(), options);
    open.push(outbox);
    return outbox;
  }

  async function spooledFiles(): Promise<string[]> {
    const root = join(dir, "spool");
    const jobs = await readdir(root);
    const files = await Promise.all(jobs.map(async (job) => (await readdir(join(root, job))).map((file) => `${job}/${file}`)));
    return files.flat().sort();
  }

  it("delivers in order, then deletes the files and the job directory", async () => {
    const outbox = await openOutbox();
    await outbox.enqueue(JOB, LEASE, metrics("b1", 1, 2));
    await outbox.enqueue(JOB, LEASE, { type: "logs", offset: 0, text: "hello\n" });
    const last = await outbox.enqueue(JOB, LEASE, { type: "complete", result: { exitCode: 0 } });
    expect(await last.settled).toBe("delivered");
    expect(api.calls).toEqual(["metrics b1", "logs 0", "complete"]);
    expect(api.points.map((point) => point.step)).toEqual([1, 2]);
    expect(api.logText).toBe("hello\n");
    expect(await spooledFiles()).toEqual([]);
  });

  it("is on disk before enqueue resolves, one fsynced file per entry named by its sequence number", async () => {
    api.down = true;
    const outbox = await openOutbox();
    await outbox.enqueue(JOB, LEASE, metrics("b1", 1));
    await outbox.enqueue("job-2", "lease-2", metrics("b2", 1));
    expect(await spooledFiles()).toEqual([`${JOB}/000000000001.json`, "job-2/000000000002.json"]);
    expect(outbox.pending).toBe(2);
  });

  it("keeps everything while the API is unreachable and replays it in order when it is back", async () => {
    api.down = true;
    const outbox = await openOutbox();
    for (let batch = 0; batch < 20; batch++) await outbox.enqueue(JOB, LEASE, metrics(`b${batch}`, batch * 2, batch * 2 + 1));
    await waitFor("a few failed attempts", () => api.calls.length >= 3);
    expect(await outbox.drain(50)).toBe(false);
    expect(api.points).toEqual([]);
    api.down = false;
    await outbox.idle();
    expect(api.points.map((point) => point.step)).toEqual(Array.from({ length: 40 }, (_, step) => step));
    expect(await spooledFiles()).toEqual([]);
  });

  it("replays what a previous process left, before anything new, and continues its numbering", async () => {
    api.down = true;
    const first = await openOutbox();
    await first.enqueue(JOB, LEASE, metrics("old-1", 1));
    await first.enqueue(JOB, LEASE, { type: "logs", offset: 0, text: "before the crash\n" });
    await first.close();
    expect(await spooledFiles()).toHaveLength(2);
    // A crash mid-write leaves a temporary file: it is not an entry.
    await writeFile(join(dir, "spool", JOB, "000000000003.json.tmp"), '{"seq":3,');

    api.down = false;
    api.calls.length = 0;
    const second = await openOutbox();
    const fresh = await second.enqueue(JOB, LEASE, metrics("new-1", 2));
    expect(fresh.seq).toBe(3);
    await second.idle();
    expect(api.calls).toEqual(["metrics old-1", "logs 0", "metrics new-1"]);
    expect(api.points.map((point) => point.step)).toEqual([1, 2]);
    expect(await spooledFiles()).toEqual([]);
  });

  it("is safe to replay: an answer lost after the server applied the call adds nothing the second time", async () => {
    const outbox = await openOutbox();
    api.loseAnswers = 1;
    await (await outbox.enqueue(JOB, LEASE, metrics("b1", 1, 2, 3))).settled;
    api.loseAnswers = 1;
    await outbox.enqueue(JOB, LEASE, { type: "logs", offset: 0, text: "héllo ✓\n" });
    await outbox.enqueue(JOB, LEASE, { type: "logs", offset: Buffer.byteLength("héllo ✓\n"), text: "more\n" });
    await outbox.idle();
    expect(api.calls).toEqual(["metrics b1", "metrics b1", "logs 0", "logs 0", "logs 11"]);
    expect(api.points.map((point) => point.step)).toEqual([1, 2, 3]);
    expect(api.logText).toBe("héllo ✓\nmore\n");
  });

  it("drops every entry of a lost lease, tells its listeners, and goes on with other leases", async () => {
    api.lostLeases.add(LEASE);
    const outbox = await openOutbox();
    const lost: string[] = [];
    outbox.onLeaseLost((job, lease) => lost.push(`${job}/${lease}`));
    const a = await outbox.enqueue(JOB, LEASE, metrics("a", 1));
    const b = await outbox.enqueue(JOB, LEASE, { type: "complete", result: {} });
    const c = await outbox.enqueue(JOB, "lease-2", metrics("c", 1));
    expect([await a.settled, await b.settled, await c.settled]).toEqual(["dropped", "dropped", "delivered"]);
    expect(lost).toEqual([`${JOB}/${LEASE}`]);
    expect(api.calls).toEqual(["metrics a", "metrics c"]);
    expect(await spooledFiles()).toEqual([]);
  });

  it("drops the entries of a lease the job runner gave up, even while the API is away", async () => {
    api.down = true;
    const outbox = await openOutbox();
    const a = await outbox.enqueue(JOB, LEASE, metrics("a", 1));
    outbox.dropLease(JOB, LEASE);
    expect(await a.settled).toBe("dropped");
    expect(await spooledFiles()).toEqual([]);
  });

  it("re-anchors a lease's log at the server's end after LOG_OFFSET_GAP", async () => {
    const outbox = await openOutbox();
    api.log = Buffer.from("0123456789");
    await outbox.enqueue(JOB, LEASE, { type: "logs", offset: 20, text: "abc" });
    await outbox.enqueue(JOB, LEASE, { type: "logs", offset: 23, text: "def" });
    await outbox.idle();
    expect(api.calls).toEqual(["logs 20", "logs 10", "logs 13"]);
    expect(api.logText).toBe("0123456789abcdef");
  });

  it("drops an entry the API rejects as bad input, and one that keeps failing on the server", async () => {
    const outbox = await openOutbox({ ...fast, maxErrorAttempts: 2 } as typeof fast);
    api.rejectNext = { count: 1, error: () => new ApiError("bad", "BAD_USER_INPUT", "INVALID_ARGUMENT", {}, 200) };
    const rejected = await outbox.enqueue(JOB, LEASE, metrics("bad", 1));
    expect(await rejected.settled).toBe("dropped");
    api.rejectNext = { count: 3, error: () => new ApiError("boom", "INTERNAL_SERVER_ERROR", "INTERNAL", {}, 200) };
    const poisoned = await outbox.enqueue(JOB, LEASE, metrics("poison", 2));
    const next = await outbox.enqueue(JOB, LEASE, metrics("next", 3));
    expect([await poisoned.settled, await next.settled]).toEqual(["dropped", "delivered"]);
    expect(api.points.map((point) => point.step)).toEqual([3]);
  });

  it("retries a server error until it passes", async () => {
    const outbox = await openOutbox();
    api.rejectNext = { count: 2, error: () => new ApiError("db hiccup", "INTERNAL_SERVER_ERROR", "INTERNAL", {}, 500) };
    expect(await (await outbox.enqueue(JOB, LEASE, metrics("b", 7))).settled).toBe("delivered");
    expect(api.calls).toEqual(["metrics b", "metrics b", "metrics b"]);
  });

  it("drops an unreadable entry instead of stalling", async () => {
    await mkdir(join(dir, "spool", JOB), { recursive: true });
    await writeFile(join(dir, "spool", JOB, "000000000001.json"), "{ not json");
    const outbox = await openOutbox();
    const next = await outbox.enqueue(JOB, LEASE, metrics("b", 1));
    expect(next.seq).toBe(2);
    expect(await next.settled).toBe("delivered");
    expect(await spooledFiles()).toEqual([]);
  });

  it("close() stops a sender that is waiting out an unreachable API, leaving the spool on disk", async () => {
    api.down = true;
    const outbox = await openOutbox({ backoff: { initialMs: 60_000, maxMs: 60_000 } });
    await outbox.enqueue(JOB, LEASE, metrics("b", 1));
    await waitFor("a first attempt", () => api.calls.length >= 1);
    await outbox.close();
    expect(await spooledFiles()).toHaveLength(1);
    await expect(outbox.enqueue(JOB, LEASE, metrics("late", 2))).rejects.toThrow("closed");
  });
});
