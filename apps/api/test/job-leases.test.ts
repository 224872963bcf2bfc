import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { uniqueName } from "./support/factories";
import type { GraphQLClient } from "./support/graphql-client";
import {
  acquire,
  acquireOrFail,
  APPEND_LOGS,
  COMPLETE,
  createCommandExperiment,
  FAIL,
  HEARTBEAT,
  launch,
  type Lease,
  LOG_METRICS,
  points,
  registerRunner,
  runOf,
} from "./support/runner-protocol";
import { databaseKind } from "./support/test-database";
import { type TestServerHandle, useTestServer } from "./support/use-test-server";
import { waitFor } from "./support/wait-for";

/**
 * The runner side of the protocol, played by the test. Leases last long on this server, so a test
 * may take its time between heartbeats; the "lease expiry" block has a server of its own with
 * 2-second leases. Every test works in a lane of its own: its runner carries a fresh label and
 * its runs require it, so runners of different tests never take each other's jobs.
 */
const LEASE_SECONDS = 30;
const BACKOFF_SECONDS = 0.2;
const api = useTestServer({ DISTILLERY_LEASE_SECONDS: String(LEASE_SECONDS), DISTILLERY_RETRY_BACKOFF_SECONDS: String(BACKOFF_SECONDS) });

type Runner = Awaited<ReturnType<typeof registerRunner>>;
type RunnerOverrides = NonNullable<Parameters<typeof registerRunner>[1]>;
interface LaunchOptions {
  priority?: number;
  maxAttempts?: number;
  requirements?: { device?: string; minMemoryGb?: number; labels?: string[] };
}

/** A fresh experiment, a label, a runner carrying it, and a launcher of runs requiring it. */
async function lane(handle: TestServerHandle, runner: RunnerOverrides = {}) {
  const label = uniqueName("lane");
  const experiment = await createCommandExperiment(handle.admin);
  const worker = await registerRunner(handle.admin, { ...runner, labels: [label, ...(runner.labels ?? [])] });
  const launchRun = (options: LaunchOptions = {}) =>
    launch(handle.admin, experiment.id, {
      ...options,
      requirements: { ...options.requirements, labels: [label, ...(options.requirements?.labels ?? [])] },
    });
  return { label, experiment, runner: worker, launchRun };
}

/** Everything a job-scoped call could change, for "nothing changed" checks. */
const SNAPSHOT = `query($id: ID!) {
  run(id: $id) {
    status attempt startedAt finishedAt result summary metricKeys progress waitingReason
    job { state attempt cancelRequested leaseExpiresAt notBefore failureKind error progress runner { name } }
    logs { text totalBytes }
    metrics { key totalPoints points { step value } }
  }
}`;
const snapshot = async (client: GraphQLClient, id: string) => (await client.ok(SNAPSHOT, { id })).run;

const CANCEL = `mutation($id: ID!) { cancelRun(id: $id) { id status finishedAt job { state cancelRequested } } }`;
const RETRY = `mutation($id: ID!) { retryRun(id: $id) { id number status retryOf { id } requirements { labels } job { state attempt priority maxAttempts } } }`;
const RUN_COUNT = `query($experiment: ID!, $status: RunStatus) { runs(first: 1, filter: { experiment: $experiment, status: $status }) { totalCount } }`;
const METRICS = `query($id: ID!, $keys: [String!], $maxPoints: Int) {
  run(id: $id) { metrics(keys: $keys, maxPoints: $maxPoints) { key totalPoints points { step value time } } }
}`;
const LOGS = `query($id: ID!, $offset: SafeInt, $limit: Int) { run(id: $id) { logs(offset: $offset, limit: $limit) { offset nextOffset totalBytes text } } }`;

function heartbeat(runner: Runner, lease: Lease, progress?: number) {
  return runner.client.ok(HEARTBEAT, { job: lease.job.id, lease: lease.leaseId, ...(progress === undefined ? {} : { progress }) });
}
function complete(runner: Runner, lease: Lease, result?: Record<string, unknown>) {
  return runner.client.ok(COMPLETE, { job: lease.job.id, lease: lease.leaseId, ...(result ? { result } : {}) });
}
function fail(runner: Runner, lease: Lease, kind: "USER_ERROR" | "INFRA_ERROR", message = `${kind} on purpose`) {
  return runner.client.ok(FAIL, { job: lease.job.id, lease: lease.leaseId, kind, message });
}
function logMetrics(runner: Runner, lease: Lease, batch: string, batchPoints: unknown[]) {
  return runner.client.ok(LOG_METRICS, { job: lease.job.id, lease: lease.leaseId, batch, points: batchPoints });
}
function appendLogs(runner: Runner, lease: Lease, offset: number, text: string) {
  return runner.client.ok(APPEND_LOGS, { job: lease.job.id, lease: lease.leaseId, offset, text });
}

/** Every job-scoped call, with the given job and lease id: each must be refused the same way. */
function jobScopedCalls(job: string, leaseId: string, logOffset: number, batch = uniqueName("stale")) {
  return [
    ["heartbeat", HEARTBEAT, { job, lease: leaseId, progress: 0.9 }],
    ["logMetrics", LOG_METRICS, { job, lease: leaseId, batch, points: points("stale", 0, 3) }],
    ["appendLogs", APPEND_LOGS, { job, lease: leaseId, offset: logOffset, text: "stale writer\n" }],
    ["completeJob", COMPLETE, { job, lease: leaseId, result: { stale: true } }],
    ["failJob", FAIL, { job, lease: leaseId, kind: "USER_ERROR", message: "stale" }],
  ] as const;
}

/** The time the database granted a lease: it expires leaseSeconds later. */
const grantedAt = (lease: Lease) => Date.parse(lease.leaseExpiresAt) - lease.leaseSeconds * 1000;

describe(`claiming jobs (${databaseKind})`, () => {
  it("hands a runner only jobs whose device, memory, labels and capabilities it meets", async () => {
    const { label, launchRun, runner: cpu } = await lane(api, { device: { kind: "CPU", memoryGb: 16 } });
    const extra = `${label}-x`;
    const cuda = await launchRun({ requirements: { device: "CUDA" } });
    const big = await launchRun({ requirements: { minMemoryGb: 32 } });
    const labelled = await launchRun({ requirements: { labels: [extra] } });
    // Everything but the waiting reason, which changes as runners come online.
    const queuedState = () => Promise.all([cuda, big, labelled].map(async (run) => ({ ...(await snapshot(api.admin, run.id)), waitingReason: undefined })));
    const before = await queuedState();

    expect(await acquire(cpu)).toBeNull();
    // Everything but the command capability that COMMAND jobs imply.
    const incapable = await registerRunner(api.admin, { labels: [label, extra], capabilities: ["torch"], device: { kind: "CUDA", memoryGb: 80 } });
    expect(await acquire(incapable)).toBeNull();
    expect(await queuedState()).toEqual(before);
    expect(before.map((run) => run.status)).toEqual(["QUEUED", "QUEUED", "QUEUED"]);

    const cpuOnly = await launchRun({ requirements: { device: "CPU", minMemoryGb: 16 } });
    const cpuLease = await acquireOrFail(cpu);
    expect(cpuLease.run.id).toBe(cpuOnly.id);
    expect(await acquire(cpu)).toBeNull();

    const gpu = await registerRunner(api.admin, { labels: [label, extra], capabilities: ["command", "torch"], device: { kind: "CUDA", memoryGb: 80 } });
    const taken = [];
    for (let index = 0; index < 3; index += 1) taken.push((await acquireOrFail(gpu)).run.id);
    expect(taken).toEqual([cuda.id, big.id, labelled.id]);
    expect(await acquire(gpu)).toBeNull();
    for (const id of taken) expect(await runOf(api.admin, id)).toMatchObject({ status: "RUNNING", attempt: 1, job: { state: "LEASED", runner: { name: gpu.name } } });
    expect(await runOf(api.admin, cpuOnly.id)).toMatchObject({ status: "RUNNING", job: { runner: { name: cpu.name } } });
  });

  it("hands out higher priority first, then the oldest", async () => {
    const { launchRun, runner } = await lane(api);
    const lowOld = await launchRun({ priority: 0 });
    const highOld = await launchRun({ priority: 5 });
    const lowNew = await launchRun({ priority: 0 });
    const negative = await launchRun({ priority: -3 });
    const highNew = await launchRun({ priority: 5 });
    const order = [];
    for (let index = 0; index < 5; index += 1) order.push((await acquireOrFail(runner)).run.id);
    expect(order).toEqual([highOld.id, highNew.id, lowOld.id, lowNew.id, negative.id]);
  });

  it("long-polls: a waiting acquireJob returns promptly when a job is launched during the wait", async () => {
    const { launchRun, runner } = await lane(api);
    const lastSeen = async () =>
      ((await api.admin.ok(`{ runners { id lastSeenAt } }`)).runners as Array<{ id: string; lastSeenAt: string }>).find((r) => r.id === runner.id)!.lastSeenAt;
    const registeredSeen = await lastSeen();
    const started = Date.now();
    const waiting = acquire(runner, 20);
    // acquireJob marks the runner as seen when it starts polling.
    await waitFor("the runner to start polling", async () => ((await lastSeen()) !== registeredSeen ? true : undefined));
    const launchedAt = Date.now();
    const run = await launchRun();
    const lease = await waiting;
    expect(lease?.run.id).toBe(run.id);
    expect(Date.now() - launchedAt).toBeLessThan(5_000);
    expect(Date.now() - started).toBeLessThan(15_000);
  });

  it("returns null after waiting when there is nothing to take, and refuses bad arguments", async () => {
    const { runner } = await lane(api);
    const started = Date.now();
    expect(await acquire(runner, 1)).toBeNull();
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    const ACQUIRE = `mutation($runner: ID!, $wait: Int) { acquireJob(runner: $runner, waitSeconds: $wait) { leaseId } }`;
    await runner.client.fails(ACQUIRE, { runner: runner.id, wait: 26 }, "BAD_USER_INPUT", "INVALID_ARGUMENT");
    await runner.client.fails(ACQUIRE, { runner: runner.id, wait: -1 }, "BAD_USER_INPUT", "INVALID_ARGUMENT");
    await runner.client.fails(ACQUIRE, { runner: randomUUID(), wait: 0 }, "NOT_FOUND", "RUNNER_NOT_FOUND");
  });
});

describe(`a lease (${databaseKind})`, () => {
  it("carries the job, shows on the run, takes heartbeats with progress and completes idempotently", async () => {
    const { experiment, launchRun, runner } = await lane(api);
    const run = await launchRun();
    const lease = await acquireOrFail(runner);
    expect(lease).toMatchObject({
      leaseSeconds: LEASE_SECONDS,
      job: { state: "LEASED", attempt: 1 },
      run: { id: run.id },
      experiment: { id: experiment.id, name: experiment.name, spec: { argv: ["true"], env: {}, timeoutSeconds: 3600 } },
    });
    const leased = await runOf(api.admin, run.id);
    expect(leased).toMatchObject({ status: "RUNNING", attempt: 1, progress: null, waitingReason: null, finishedAt: null, job: { state: "LEASED", runner: { name: runner.name } } });
    expect(leased.startedAt).toEqual(expect.any(String));
    expect(leased.job.leaseExpiresAt).toBe(lease.leaseExpiresAt);

    const beat = (await heartbeat(runner, lease, 0.25)).heartbeat;
    expect(beat.cancelRequested).toBe(false);
    expect(Date.parse(beat.leaseExpiresAt)).toBeGreaterThanOrEqual(Date.parse(lease.leaseExpiresAt));
    expect(await runOf(api.admin, run.id)).toMatchObject({ status: "RUNNING", progress: 0.25, job: { state: "RUNNING", leaseExpiresAt: beat.leaseExpiresAt } });
    // A heartbeat without progress keeps the last one; one out of range is refused and changes nothing.
    await heartbeat(runner, lease);
    expect((await runOf(api.admin, run.id)).progress).toBe(0.25);
    const beforeBad = await snapshot(api.admin, run.id);
    await runner.client.fails(HEARTBEAT, { job: lease.job.id, lease: lease.leaseId, progress: 1.5 }, "BAD_USER_INPUT", "INVALID_ARGUMENT");
    expect(await snapshot(api.admin, run.id)).toEqual(beforeBad);
    await heartbeat(runner, lease, 0.5);

    expect((await complete(runner, lease, { accuracy: 0.91, artifacts: ["model.onnx"] })).completeJob).toEqual({ state: "SUCCEEDED", attempt: 1 });
    const done = await runOf(api.admin, run.id);
    expect(done).toMatchObject({
      status: "SUCCEEDED",
      progress: 1,
      result: { accuracy: 0.91, artifacts: ["model.onnx"] },
      waitingReason: null,
      job: { state: "SUCCEEDED", leaseExpiresAt: null, failureKind: null, error: null },
    });
    expect(done.finishedAt).toEqual(expect.any(String));

    // The same completion again: the same answer, nothing changes (the first result stays).
    const settled = await snapshot(api.admin, run.id);
    expect((await complete(runner, lease, { accuracy: 0.1 })).completeJob).toEqual({ state: "SUCCEEDED", attempt: 1 });
    expect((await fail(runner, lease, "INFRA_ERROR")).failJob).toMatchObject({ state: "SUCCEEDED", attempt: 1 });
    expect(await snapshot(api.admin, run.id)).toEqual(settled);
    // A finished job takes no heartbeats.
    const error = await runner.client.fails(HEARTBEAT, { job: lease.job.id, lease: lease.leaseId }, "CONFLICT", "LEASE_LOST");
    expect(error.extensions.details).toMatchObject({ job: lease.job.id, state: "SUCCEEDED" });
    expect(await snapshot(api.admin, run.id)).toEqual(settled);
  });

  it("takes metrics and logs spooled after completion from the lease that completed", async () => {
    const { launchRun, runner } = await lane(api);
    const run = await launchRun();
    const lease = await acquireOrFail(runner);
    await complete(runner, lease);
    expect((await logMetrics(runner, lease, "late", points("loss", 0, 3))).logMetrics).toEqual({ accepted: 3, duplicate: false });
    expect((await appendLogs(runner, lease, 0, "late line\n")).appendLogs).toEqual({ nextOffset: 10 });
    expect(await snapshot(api.admin, run.id)).toMatchObject({ status: "SUCCEEDED", summary: { loss: 0.002 }, logs: { text: "late line\n", totalBytes: 10 } });
  });

  it("fails the run at once on USER_ERROR, idempotently, without a retry", async () => {
    const { launchRun, runner } = await lane(api);
    const run = await launchRun({ maxAttempts: 3 });
    const lease = await acquireOrFail(runner);
    await heartbeat(runner, lease, 0.3);
    expect((await fail(runner, lease, "USER_ERROR", "exit status 2: bad config")).failJob).toEqual({ state: "FAILED", attempt: 1, error: "exit status 2: bad config" });
    const failed = await snapshot(api.admin, run.id);
    expect(failed).toMatchObject({
      status: "FAILED",
      attempt: 1,
      waitingReason: null,
      job: { state: "FAILED", failureKind: "USER_ERROR", error: "exit status 2: bad config", leaseExpiresAt: null },
    });
    expect(failed.finishedAt).toEqual(expect.any(String));

    expect((await fail(runner, lease, "USER_ERROR", "exit status 2: bad config")).failJob).toEqual({ state: "FAILED", attempt: 1, error: "exit status 2: bad config" });
    expect((await fail(runner, lease, "INFRA_ERROR", "something else")).failJob).toMatchObject({ state: "FAILED", attempt: 1 });
    expect((await complete(runner, lease, { late: true })).completeJob).toEqual({ state: "FAILED", attempt: 1 });
    expect(await acquire(runner, 1)).toBeNull();
    expect(await snapshot(api.admin, run.id)).toEqual(failed);
  });

  it("retries INFRA_ERROR with a jittered, doubling backoff up to maxAttempts, then the job is DEAD and the run FAILED", async () => {
    const { launchRun, runner } = await lane(api);
    const run = await launchRun({ maxAttempts: 3 });
    const leases: Lease[] = [];
    let notBefore = 0;
    for (let attempt = 1; attempt <= 3; attempt += 1) {
      const lease = await acquireOrFail(runner, 10);
      leases.push(lease);
      expect(lease.run.id).toBe(run.id);
      expect(lease.job).toMatchObject({ state: "LEASED", attempt });
      // Not handed out before the backoff ran out (database clock; timestamps carry milliseconds).
      expect(grantedAt(lease)).toBeGreaterThanOrEqual(notBefore - 1);
      expect(lease.leaseId).not.toBe(leases[attempt - 2]?.leaseId);

      const before = Date.now();
      const answer = (await fail(runner, lease, "INFRA_ERROR", `node lost (attempt ${attempt})`)).failJob;
      const after = Date.now();
      const state = await runOf(api.admin, run.id);
      if (attempt < 3) {
        expect(answer).toEqual({ state: "QUEUED", attempt, error: `node lost (attempt ${attempt})` });
        expect(state).toMatchObject({
          status: "QUEUED",
          attempt,
          finishedAt: null,
          job: { state: "QUEUED", failureKind: "INFRA_ERROR", error: `node lost (attempt ${attempt})`, leaseExpiresAt: null, runner: null },
        });
        notBefore = Date.parse(state.job.notBefore);
        const base = BACKOFF_SECONDS * 1000 * 2 ** (attempt - 1);
        expect(notBefore).toBeGreaterThanOrEqual(before + 0.5 * base - 5);
        expect(notBefore).toBeLessThanOrEqual(after + 1.5 * base + 5);
      } else {
        expect(answer).toEqual({ state: "DEAD", attempt: 3, error: "node lost (attempt 3)" });
        expect(state).toMatchObject({ status: "FAILED", attempt: 3, waitingReason: null, job: { state: "DEAD", failureKind: "INFRA_ERROR", maxAttempts: 3 } });
        expect(state.finishedAt).toEqual(expect.any(String));
      }
    }
    const dead = await snapshot(api.admin, run.id);
    expect(await acquire(runner, 1)).toBeNull();
    // The last lease may repeat its failJob; the earlier ones were fenced out when their job was requeued.
    expect((await fail(runner, leases[2]!, "INFRA_ERROR", "node lost (attempt 3)")).failJob).toMatchObject({ state: "DEAD", attempt: 3 });
    await runner.client.fails(FAIL, { job: leases[0]!.job.id, lease: leases[0]!.leaseId, kind: "INFRA_ERROR", message: "again" }, "CONFLICT", "LEASE_LOST");
    expect(await snapshot(api.admin, run.id)).toEqual(dead);
  });

  it("fences every job-scoped call by the lease id: a stale or unknown lease gets LEASE_LOST and changes nothing", async () => {
    const { launchRun, runner } = await lane(api);
    const run = await launchRun();
    const stale = await acquireOrFail(runner);
    await fail(runner, stale, "INFRA_ERROR", "runner restarted");
    const current = await acquireOrFail(runner, 10);
    expect(current.job).toMatchObject({ id: stale.job.id, attempt: 2 });
    await heartbeat(runner, current, 0.5);
    await logMetrics(runner, current, "b1", points("loss", 0, 5));
    const { nextOffset } = (await appendLogs(runner, current, 0, "current runner\n")).appendLogs;
    const before = await snapshot(api.admin, run.id);

    const staleBatch = uniqueName("stale");
    for (const leaseId of [stale.leaseId, randomUUID()]) {
      for (const [call, query, variables] of jobScopedCalls(stale.job.id, leaseId, nextOffset, staleBatch)) {
        const error = await runner.client.fails(query, variables, "CONFLICT", "LEASE_LOST");
        expect(error.extensions.details, call).toMatchObject({ job: stale.job.id, state: "RUNNING" });
      }
    }
    expect(await snapshot(api.admin, run.id)).toEqual(before);

    // An unknown job is NOT_FOUND for every call.
    for (const [call, query, variables] of jobScopedCalls(randomUUID(), current.leaseId, 0)) {
      const result = await runner.client.request(query, variables);
      expect(result.errors?.[0]?.extensions, call).toMatchObject({ code: "NOT_FOUND", reason: "JOB_NOT_FOUND" });
    }

    // The current lease still works, and a refused batch id was not used up.
    expect((await logMetrics(runner, current, staleBatch, points("loss", 5, 2))).logMetrics).toEqual({ accepted: 2, duplicate: false });
    expect((await complete(runner, current, { ok: true })).completeJob).toEqual({ state: "SUCCEEDED", attempt: 2 });
    expect(await runOf(api.admin, run.id)).toMatchObject({ status: "SUCCEEDED", result: { ok: true }, summary: { loss: 0.006 } });
  });

  it("derives a run's status from its job's state, and filters runs by it", async () => {
    const { experiment, launchRun, runner } = await lane(api);
    const leased = await launchRun();
    await acquireOrFail(runner);
    const running = await launchRun();
    await heartbeat(runner, await acquireOrFail(runner));
    const succeeded = await launchRun();
    await complete(runner, await acquireOrFail(runner));
    const failed = await launchRun();
    await fail(runner, await acquireOrFail(runner), "USER_ERROR");
    const dead = await launchRun({ maxAttempts: 1 });
    await fail(runner, await acquireOrFail(runner), "INFRA_ERROR");
    const cancelled = await launchRun();
    await api.admin.ok(CANCEL, { id: cancelled.id });
    const queued = await launchRun();

    const expected: Array<[{ id: string }, string, string]> = [
      [leased, "LEASED", "RUNNING"],
      [running, "RUNNING", "RUNNING"],
      [succeeded, "SUCCEEDED", "SUCCEEDED"],
      [failed, "FAILED", "FAILED"],
      [dead, "DEAD", "FAILED"],
      [cancelled, "CANCELLED", "CANCELLED"],
      [queued, "QUEUED", "QUEUED"],
    ];
    for (const [run, state, status] of expected) expect(await runOf(api.admin, run.id), state).toMatchObject({ status, job: { state } });
    const counts: Record<string, number> = {};
    for (const status of ["QUEUED", "RUNNING", "SUCCEEDED", "FAILED", "CANCELLED"]) {
      counts[status] = (await api.admin.ok(RUN_COUNT, { experiment: experiment.id, status })).runs.totalCount;
    }
    expect(counts).toEqual({ QUEUED: 1, RUNNING: 2, SUCCEEDED: 1, FAILED: 2, CANCELLED: 1 });
  });
});

describe(`cancelling and retrying (${databaseKind})`, () => {
  it("asks a running job to stop through its heartbeat; the runner's failJob then makes it CANCELLED, never retried", async () => {
    const { launchRun, runner } = await lane(api);
    const run = await launchRun({ maxAttempts: 3 });
    const lease = await acquireOrFail(runner);
    await heartbeat(runner, lease, 0.4);

    const cancelling = (await api.admin.ok(CANCEL, { id: run.id })).cancelRun;
    expect(cancelling).toMatchObject({ status: "RUNNING", finishedAt: null, job: { state: "RUNNING", cancelRequested: true } });
    expect((await heartbeat(runner, lease)).heartbeat.cancelRequested).toBe(true);
    expect(await runOf(api.admin, run.id)).toMatchObject({ status: "RUNNING", waitingReason: null, job: { cancelRequested: true } });
    // Asking again changes nothing.
    expect((await api.admin.ok(CANCEL, { id: run.id })).cancelRun).toMatchObject({ status: "RUNNING", job: { cancelRequested: true } });

    // Even an infrastructure failure of a cancelled job is final.
    expect((await fail(runner, lease, "INFRA_ERROR", "terminated")).failJob).toMatchObject({ state: "CANCELLED", attempt: 1 });
    const cancelled = await snapshot(api.admin, run.id);
    expect(cancelled).toMatchObject({ status: "CANCELLED", attempt: 1, waitingReason: null, job: { state: "CANCELLED", leaseExpiresAt: null } });
    expect(cancelled.finishedAt).toEqual(expect.any(String));
    expect(await acquire(runner, 1)).toBeNull();

    expect((await api.admin.ok(CANCEL, { id: run.id })).cancelRun).toMatchObject({ status: "CANCELLED", job: { state: "CANCELLED" } });
    expect((await fail(runner, lease, "INFRA_ERROR", "terminated")).failJob).toMatchObject({ state: "CANCELLED", attempt: 1 });
    expect(await snapshot(api.admin, run.id)).toEqual(cancelled);
  });

  it("tells a leased job that has not heartbeated yet to stop at its first heartbeat", async () => {
    const { launchRun, runner } = await lane(api);
    const run = await launchRun();
    const lease = await acquireOrFail(runner);
    expect((await api.admin.ok(CANCEL, { id: run.id })).cancelRun).toMatchObject({ status: "RUNNING", job: { state: "LEASED", cancelRequested: true } });
    expect((await heartbeat(runner, lease)).heartbeat.cancelRequested).toBe(true);
    expect((await fail(runner, lease, "USER_ERROR", "terminated")).failJob).toMatchObject({ state: "CANCELLED" });
    expect(await runOf(api.admin, run.id)).toMatchObject({ status: "CANCELLED", job: { state: "CANCELLED", failureKind: "USER_ERROR" } });
  });

  it("lets a completion that arrives after the cancel request win", async () => {
    const { launchRun, runner } = await lane(api);
    const run = await launchRun();
    const lease = await acquireOrFail(runner);
    await heartbeat(runner, lease);
    await api.admin.ok(CANCEL, { id: run.id });
    expect((await complete(runner, lease, { done: true })).completeJob).toEqual({ state: "SUCCEEDED", attempt: 1 });
    expect(await runOf(api.admin, run.id)).toMatchObject({ status: "SUCCEEDED", result: { done: true }, job: { cancelRequested: true } });
  });

  it("refuses to cancel a finished run with CONFLICT/RUN_FINISHED and changes nothing", async () => {
    const { launchRun, runner } = await lane(api);
    const succeeded = await launchRun();
    await complete(runner, await acquireOrFail(runner), { score: 1 });
    const failed = await launchRun();
    await fail(runner, await acquireOrFail(runner), "USER_ERROR");
    const dead = await launchRun({ maxAttempts: 1 });
    await fail(runner, await acquireOrFail(runner), "INFRA_ERROR");

    for (const [run, state] of [[succeeded, "SUCCEEDED"], [failed, "FAILED"], [dead, "DEAD"]] as const) {
      const before = await snapshot(api.admin, run.id);
      const error = await api.admin.fails(CANCEL, { id: run.id }, "CONFLICT", "RUN_FINISHED");
      expect(error.extensions.details).toEqual({ state });
      expect(await snapshot(api.admin, run.id)).toEqual(before);
    }
  });

  it("retries a finished run as a new run with the same requirements, and refuses one that is still running", async () => {
    const { experiment, label, launchRun, runner } = await lane(api);
    const original = await launchRun({ priority: 7, maxAttempts: 2 });
    const first = await acquireOrFail(runner);
    await fail(runner, first, "USER_ERROR", "typo in config");

    const retried = (await api.admin.ok(RETRY, { id: original.id })).retryRun;
    expect(retried).toMatchObject({
      number: 2,
      status: "QUEUED",
      retryOf: { id: original.id },
      requirements: { labels: [label] },
      job: { state: "QUEUED", attempt: 0, priority: 7, maxAttempts: 2 },
    });
    const second = await acquireOrFail(runner);
    expect(second.run.id).toBe(retried.id);
    expect(second.job.attempt).toBe(1);

    const before = (await api.admin.ok(RUN_COUNT, { experiment: experiment.id })).runs.totalCount;
    const error = await api.admin.fails(RETRY, { id: retried.id }, "CONFLICT", "RUN_NOT_FINISHED");
    expect(error.extensions.details).toEqual({ state: "LEASED" });
    expect((await api.admin.ok(RUN_COUNT, { experiment: experiment.id })).runs.totalCount).toBe(before);
    expect(await runOf(api.admin, retried.id)).toMatchObject({ status: "RUNNING", job: { state: "LEASED" } });

    await complete(runner, second);
    expect((await api.admin.ok(RETRY, { id: retried.id })).retryRun).toMatchObject({ number: 3, retryOf: { id: retried.id } });
    // The original run is untouched by its retries.
    expect(await runOf(api.admin, original.id)).toMatchObject({ status: "FAILED", job: { state: "FAILED", error: "typo in config" } });
  });
});

describe(`metrics (${databaseKind})`, () => {
  it("stores a batch once, each (key, step) once, and summarises each key's newest value", async () => {
    const { launchRun, runner } = await lane(api);
    const run = await launchRun();
    const lease = await acquireOrFail(runner);
    expect((await logMetrics(runner, lease, "b1", [...points("loss", 0, 10), ...points("acc", 0, 5)])).logMetrics).toEqual({ accepted: 15, duplicate: false });
    expect(await runOf(api.admin, run.id)).toMatchObject({ summary: { loss: 0.009, acc: 0.004 }, metricKeys: ["acc", "loss"] });

    // A replayed batch adds nothing, whatever it holds now.
    const afterFirst = await snapshot(api.admin, run.id);
    expect((await logMetrics(runner, lease, "b1", points("loss", 100, 10))).logMetrics).toEqual({ accepted: 0, duplicate: true });
    expect(await snapshot(api.admin, run.id)).toEqual(afterFirst);

    // Overlapping steps are skipped; only new ones count.
    expect((await logMetrics(runner, lease, "b2", points("loss", 5, 10))).logMetrics).toEqual({ accepted: 5, duplicate: false });
    expect((await logMetrics(runner, lease, "b3", [{ key: "loss", step: 0, value: 99 }, { key: "loss", step: 1, value: 99 }])).logMetrics).toEqual({
      accepted: 0,
      duplicate: false,
    });
    // The same step twice in one batch is stored once.
    expect((await logMetrics(runner, lease, "b4", [{ key: "loss", step: 20, value: 0.5 }, { key: "loss", step: 20, value: 0.7 }])).logMetrics).toEqual({
      accepted: 1,
      duplicate: false,
    });
    // An older step arriving late does not become the summary.
    expect((await logMetrics(runner, lease, "b5", [{ key: "loss", step: 17, value: 42 }])).logMetrics).toEqual({ accepted: 1, duplicate: false });
    expect((await logMetrics(runner, lease, "b6", [])).logMetrics).toEqual({ accepted: 0, duplicate: false });
    expect((await logMetrics(runner, lease, "b7", [{ key: "lr", step: 3, value: 0.001, time: "2024-01-02T03:04:05.678Z" }])).logMetrics).toEqual({
      accepted: 1,
      duplicate: false,
    });

    const state = await runOf(api.admin, run.id);
    expect(state.summary).toEqual({ acc: 0.004, loss: expect.any(Number), lr: 0.001 });
    expect([0.5, 0.7]).toContain(state.summary.loss);
    expect(state.metricKeys).toEqual(["acc", "loss", "lr"]);
    const series = (await api.admin.ok(METRICS, { id: run.id, keys: ["loss", "lr"] })).run.metrics;
    expect(series.map((s: any) => s.key)).toEqual(["loss", "lr"]);
    const loss = series[0];
    expect(loss.totalPoints).toBe(17);
    expect(loss.points.map((p: any) => p.step)).toEqual([...Array.from({ length: 15 }, (_, step) => step), 17, 20]);
    expect(loss.points.slice(0, 15).map((p: any) => p.value)).toEqual(Array.from({ length: 15 }, (_, step) => step / 1000));
    expect(series[1]).toEqual({ key: "lr", totalPoints: 1, points: [{ step: 3, value: 0.001, time: "2024-01-02T03:04:05.678Z" }] });

    // Batch ids are per run: another run may use the same one.
    const other = await launchRun();
    const otherLease = await acquireOrFail(runner);
    expect(otherLease.run.id).toBe(other.id);
    expect((await logMetrics(runner, otherLease, "b1", points("loss", 0, 3))).logMetrics).toEqual({ accepted: 3, duplicate: false });
    expect((await runOf(api.admin, run.id)).summary).toEqual(state.summary);
  });

  it.each([
    ["a bad key", [{ key: "bad key!", step: 0, value: 1 }]],
    ["a negative step", [{ key: "loss", step: -1, value: 1 }]],
    ["more than 10000 points", points("loss", 0, 10_001)],
  ])("refuses a batch with %s as BAD_USER_INPUT, stores nothing and keeps the batch id free", async (_what, bad) => {
    const { launchRun, runner } = await lane(api);
    const run = await launchRun();
    const lease = await acquireOrFail(runner);
    const before = await snapshot(api.admin, run.id);
    await runner.client.fails(LOG_METRICS, { job: lease.job.id, lease: lease.leaseId, batch: "only", points: [...points("ok", 0, 2), ...bad] }, "BAD_USER_INPUT", "INVALID_ARGUMENT");
    expect(await snapshot(api.admin, run.id)).toEqual(before);
    expect((await logMetrics(runner, lease, "only", points("ok", 0, 2))).logMetrics).toEqual({ accepted: 2, duplicate: false });
  });

  it("downsamples long series server-side, keeping spikes, the minimum and both ends", async () => {
    const { launchRun, runner } = await lane(api);
    const run = await launchRun();
    const lease = await acquireOrFail(runner);
    const SPIKE_STEP = 2500;
    const valueAt = (step: number) => (step === SPIKE_STEP ? 50 : Math.sin(step / 40) + step / 10_000);
    const curve = Array.from({ length: 5000 }, (_, step) => ({ key: "loss", step, value: valueAt(step) }));
    const minimum = curve.reduce((low, point) => (point.value < low.value ? point : low));
    expect(await logMetrics(runner, lease, "curve", curve)).toEqual({ logMetrics: { accepted: 5000, duplicate: false } });
    await logMetrics(runner, lease, "short", points("lr", 0, 50));

    const [loss, lr] = (await api.admin.ok(METRICS, { id: run.id, keys: ["loss", "lr"], maxPoints: 100 })).run.metrics;
    expect(loss.totalPoints).toBe(5000);
    expect(loss.points.length).toBeLessThanOrEqual(100);
    expect(loss.points.length).toBeGreaterThanOrEqual(50);
    const steps: number[] = loss.points.map((p: any) => p.step);
    for (let index = 1; index < steps.length; index += 1) expect(steps[index]).toBeGreaterThan(steps[index - 1]!);
    for (const point of loss.points) expect(point.value, `step ${point.step}`).toBe(valueAt(point.step));
    expect(steps[0]).toBe(0);
    expect(steps.at(-1)).toBe(4999);
    expect(loss.points).toContainEqual(expect.objectContaining({ step: SPIKE_STEP, value: 50 }));
    expect(loss.points).toContainEqual(expect.objectContaining({ step: minimum.step, value: minimum.value }));
    // The downsampled curve still spans the whole range of values.
    expect(Math.max(...loss.points.filter((p: any) => p.step !== SPIKE_STEP).map((p: any) => p.value))).toBeGreaterThan(1.4);
    // A short series comes back whole.
    expect(lr).toMatchObject({ key: "lr", totalPoints: 50 });
    expect(lr.points).toHaveLength(50);

    // With the fewest points allowed, one bucket is left: its min and max, and both ends.
    const tiny = (await api.admin.ok(METRICS, { id: run.id, keys: ["loss"], maxPoints: 4 })).run.metrics[0];
    expect(tiny.points.map((p: any) => [p.step, p.value])).toEqual(
      [[0, valueAt(0)], [minimum.step, minimum.value], [SPIKE_STEP, 50], [4999, valueAt(4999)]],
    );

    const whole = (await api.admin.ok(METRICS, { id: run.id, keys: ["loss"], maxPoints: 5000 })).run.metrics[0];
    expect(whole.points).toHaveLength(5000);
    expect((await api.admin.ok(METRICS, { id: run.id, keys: ["loss"] })).run.metrics[0].points.length).toBeLessThanOrEqual(1000);
    expect((await api.admin.ok(METRICS, { id: run.id, keys: ["nope"] })).run.metrics).toEqual([]);
    await api.admin.fails(METRICS, { id: run.id, maxPoints: 3 }, "BAD_USER_INPUT", "INVALID_ARGUMENT");
    await api.admin.fails(METRICS, { id: run.id, maxPoints: 20_001 }, "BAD_USER_INPUT", "INVALID_ARGUMENT");
  });
});

describe(`logs (${databaseKind})`, () => {
  it("appends by UTF-8 byte offset: a replay adds nothing, an overlap only its new tail, a gap is refused", async () => {
    const { launchRun, runner } = await lane(api);
    const run = await launchRun();
    const lease = await acquireOrFail(runner);
    const first = "héllo ";
    const second = "wörld\n";
    expect((await appendLogs(runner, lease, 0, first)).appendLogs).toEqual({ nextOffset: 7 });
    expect((await appendLogs(runner, lease, 0, first)).appendLogs).toEqual({ nextOffset: 7 });
    expect((await appendLogs(runner, lease, 7, second)).appendLogs).toEqual({ nextOffset: 14 });
    // Starts inside what the log has (at "ö", byte 8) and runs past its end.
    const overlapping = Buffer.from(first + second).subarray(8).toString("utf8") + "€ and 😀\n";
    expect((await appendLogs(runner, lease, 8, overlapping)).appendLogs).toEqual({ nextOffset: 27 });
    const expected = `${first}${second}€ and 😀\n`;
    expect(Buffer.byteLength(expected)).toBe(27);
    expect((await api.admin.ok(LOGS, { id: run.id })).run.logs).toEqual({ offset: 0, nextOffset: 27, totalBytes: 27, text: expected });

    const before = await snapshot(api.admin, run.id);
    const gap = await runner.client.fails(APPEND_LOGS, { job: lease.job.id, lease: lease.leaseId, offset: 100, text: "lost?" }, "BAD_USER_INPUT", "LOG_OFFSET_GAP");
    expect(gap.extensions.details).toEqual({ expectedOffset: 27 });
    await runner.client.fails(APPEND_LOGS, { job: lease.job.id, lease: lease.leaseId, offset: 28, text: "x" }, "BAD_USER_INPUT", "LOG_OFFSET_GAP");
    await runner.client.fails(APPEND_LOGS, { job: lease.job.id, lease: lease.leaseId, offset: -1, text: "x" }, "BAD_USER_INPUT", "INVALID_ARGUMENT");
    expect((await appendLogs(runner, lease, 27, "")).appendLogs).toEqual({ nextOffset: 27 });
    expect((await appendLogs(runner, lease, 3, "lo")).appendLogs).toEqual({ nextOffset: 27 });
    expect(await snapshot(api.admin, run.id)).toEqual(before);
  });

  it("pages through the log by bytes and never splits a multi-byte character", async () => {
    const { launchRun, runner } = await lane(api);
    const run = await launchRun();
    const lease = await acquireOrFail(runner);
    const text = Array.from({ length: 40 }, (_, line) => `${line}: a€b😀ü—z\n`).join("");
    const characters = Array.from(text);
    let offset = 0;
    for (let start = 0; start < characters.length; start += 11) {
      const chunk = characters.slice(start, start + 11).join("");
      offset = (await appendLogs(runner, lease, offset, chunk)).appendLogs.nextOffset;
    }
    const bytes = Buffer.from(text, "utf8");
    expect(offset).toBe(bytes.length);

    // Limits below 4 bytes still return one whole character per page, so paging always advances.
    for (const limit of [1, 2, 4, 5, 7, 64, 65_536]) {
      let at = 0;
      let read = "";
      let pages = 0;
      while (at < bytes.length) {
        const page = (await api.admin.ok(LOGS, { id: run.id, offset: at, limit })).run.logs;
        expect(page.offset).toBe(at);
        expect(page.totalBytes).toBe(bytes.length);
        expect(page.nextOffset, `limit ${limit} at ${at}`).toBeGreaterThan(at);
        expect(page.nextOffset - at).toBeLessThanOrEqual(Math.max(limit, 4));
        expect(Buffer.byteLength(page.text)).toBe(page.nextOffset - at);
        expect(page.text).not.toContain("\uFFFD");
        expect(page.text).toBe(bytes.subarray(at, page.nextOffset).toString("utf8"));
        read += page.text;
        at = page.nextOffset;
        pages += 1;
      }
      expect(read).toBe(text);
      if (limit === 65_536) expect(pages).toBe(1);
    }
    expect((await api.admin.ok(LOGS, { id: run.id, offset: bytes.length + 10 })).run.logs).toEqual({
      offset: bytes.length,
      nextOffset: bytes.length,
      totalBytes: bytes.length,
      text: "",
    });
    await api.admin.fails(LOGS, { id: run.id, limit: 0 }, "BAD_USER_INPUT", "INVALID_ARGUMENT");
    await api.admin.fails(LOGS, { id: run.id, limit: 1024 * 1024 + 1 }, "BAD_USER_INPUT", "INVALID_ARGUMENT");
    await api.admin.fails(LOGS, { id: run.id, offset: -1 }, "BAD_USER_INPUT", "INVALID_ARGUMENT");
  });
});

describe(`lease expiry (${databaseKind})`, () => {
  const FAST_LEASE_SECONDS = 2;
  const fast = useTestServer({ DISTILLERY_LEASE_SECONDS: String(FAST_LEASE_SECONDS), DISTILLERY_RETRY_BACKOFF_SECONDS: String(BACKOFF_SECONDS) });

  /** Polls the run until its job leaves `state` (the reaper acts every leaseSeconds / 4). */
  async function untilJobLeaves(runId: string, state: string) {
    return waitFor(`the job of run ${runId} to leave ${state}`, async () => {
      const run = await runOf(fast.admin, runId);
      return run.job.state === state ? undefined : run;
    });
  }

  it("returns an expired lease to the queue with a backoff; the old lease is fenced out", async () => {
    const { launchRun, runner } = await lane(fast);
    const run = await launchRun({ maxAttempts: 3 });
    const lost = await acquireOrFail(runner);
    expect(lost.leaseSeconds).toBe(FAST_LEASE_SECONDS);

    const requeued = await untilJobLeaves(run.id, "LEASED");
    expect(requeued).toMatchObject({
      status: "QUEUED",
      attempt: 1,
      finishedAt: null,
      job: { state: "QUEUED", failureKind: "INFRA_ERROR", error: "lease expired: the runner stopped heartbeating", leaseExpiresAt: null, runner: null },
    });
    // Reaped after the lease ran out, then held back by at least half the first backoff.
    expect(Date.parse(requeued.job.notBefore)).toBeGreaterThanOrEqual(Date.parse(lost.leaseExpiresAt) + 0.5 * BACKOFF_SECONDS * 1000 - 5);

    const current = await acquireOrFail(runner, 10);
    expect(current.job).toMatchObject({ id: lost.job.id, attempt: 2 });
    expect(current.leaseId).not.toBe(lost.leaseId);
    const before = await snapshot(fast.admin, run.id);
    for (const [call, query, variables] of jobScopedCalls(lost.job.id, lost.leaseId, 0)) {
      const error = await runner.client.fails(query, variables, "CONFLICT", "LEASE_LOST");
      expect(error.extensions.details, call).toMatchObject({ job: lost.job.id, state: "LEASED" });
    }
    expect(await snapshot(fast.admin, run.id)).toEqual(before);
    expect((await complete(runner, current)).completeJob).toEqual({ state: "SUCCEEDED", attempt: 2 });
  });

  it("keeps the lease of a runner that heartbeats, past several lease lengths", async () => {
    const { launchRun, runner } = await lane(fast);
    const run = await launchRun();
    const lease = await acquireOrFail(runner);
    const until = Date.now() + 3 * FAST_LEASE_SECONDS * 1000;
    let expiresAt = Date.parse(lease.leaseExpiresAt);
    let progress = 0;
    while (Date.now() < until) {
      progress = Math.min(1, progress + 0.05);
      const beat = (await heartbeat(runner, lease, progress)).heartbeat;
      expect(beat.cancelRequested).toBe(false);
      expect(Date.parse(beat.leaseExpiresAt)).toBeGreaterThanOrEqual(expiresAt);
      expiresAt = Date.parse(beat.leaseExpiresAt);
      // The runner's heartbeat cadence: well under leaseSeconds / 6.
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    expect(await runOf(fast.admin, run.id)).toMatchObject({ status: "RUNNING", attempt: 1, progress, job: { state: "RUNNING", error: null } });
    expect((await complete(runner, lease)).completeJob).toEqual({ state: "SUCCEEDED", attempt: 1 });
  });

  it("counts lost leases as attempts: after maxAttempts the job is DEAD and the run FAILED", async () => {
    const { launchRun, runner } = await lane(fast);
    const run = await launchRun({ maxAttempts: 2 });
    await acquireOrFail(runner);
    expect(await untilJobLeaves(run.id, "LEASED")).toMatchObject({ status: "QUEUED", attempt: 1 });
    const second = await acquireOrFail(runner, 10);
    expect(second.job.attempt).toBe(2);
    await heartbeat(runner, second, 0.5);
    const dead = await untilJobLeaves(run.id, "RUNNING");
    expect(dead).toMatchObject({
      status: "FAILED",
      attempt: 2,
      waitingReason: null,
      job: { state: "DEAD", maxAttempts: 2, failureKind: "INFRA_ERROR", error: "lease expired: the runner stopped heartbeating", leaseExpiresAt: null },
    });
    expect(dead.finishedAt).toEqual(expect.any(String));
    expect(await acquire(runner, 1)).toBeNull();
    await runner.client.fails(HEARTBEAT, { job: second.job.id, lease: second.leaseId }, "CONFLICT", "LEASE_LOST");
  });

  it("cancels a run whose runner went offline once its lease expires, instead of queueing it again", async () => {
    const { launchRun, runner } = await lane(fast);
    const run = await launchRun({ maxAttempts: 3 });
    const lease = await acquireOrFail(runner);
    await heartbeat(runner, lease, 0.2);
    expect((await fast.admin.ok(CANCEL, { id: run.id })).cancelRun).toMatchObject({ status: "RUNNING", job: { state: "RUNNING", cancelRequested: true } });

    // No more heartbeats: the runner is gone.
    const cancelled = await untilJobLeaves(run.id, "RUNNING");
    expect(cancelled).toMatchObject({ status: "CANCELLED", attempt: 1, waitingReason: null, job: { state: "CANCELLED", cancelRequested: true, leaseExpiresAt: null } });
    expect(cancelled.finishedAt).toEqual(expect.any(String));
    expect(await acquire(runner, 1)).toBeNull();
    const error = await runner.client.fails(HEARTBEAT, { job: lease.job.id, lease: lease.leaseId }, "CONFLICT", "LEASE_LOST");
    expect(error.extensions.details).toMatchObject({ state: "CANCELLED" });
    expect((await fast.admin.ok(CANCEL, { id: run.id })).cancelRun).toMatchObject({ status: "CANCELLED" });
    expect(await runOf(fast.admin, run.id)).toMatchObject({ status: "CANCELLED", attempt: 1 });
  });
});
