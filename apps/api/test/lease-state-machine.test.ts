import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DeviceKind, DeviceRequirement, ExperimentKind, FailureKind } from "@distillery/domain";
import { LocalBlobStore } from "@distillery/blobstore";
import type { Database } from "../src/db/database";
import { createEventBus } from "../src/graphql/event-bus";
import { JobEntity } from "../src/modules/run/job.entity";
import { completeJob, reapExpiredLeases } from "../src/modules/run/job-queue";
import { createServices, type Services } from "../src/services";
import { openTestDatabase } from "./support/in-process-database";
import { databaseKind } from "./support/test-database";

/**
 * The lease state machine against the real database, in-process, where the test can place a
 * transition exactly between two others (a completion inside the reaper's window).
 */
let db: Database;
let services: Services;
let dispose: () => Promise<void>;
let blobDir: string;
const policy = { leaseSeconds: 30, backoffSeconds: 10 };

beforeAll(async () => {
  ({ db, dispose } = await openTestDatabase());
  blobDir = await mkdtemp(join(tmpdir(), "distillery-blobs-"));
  services = createServices(db, await LocalBlobStore.open(blobDir), createEventBus(), { ...policy, runnerOnlineSeconds: 60 });
});
afterAll(async () => {
  await dispose?.();
  await rm(blobDir, { recursive: true, force: true });
});

let sequence = 0;
async function leasedJob(maxAttempts = 3): Promise<JobEntity> {
  sequence += 1;
  const experiment = await services.experiments.create({ name: `sm-${sequence}`, kind: ExperimentKind.COMMAND, spec: { argv: ["true"] }, tags: [] }, "test");
  await services.runs.launch({ experiment: experiment.id, requirements: { device: DeviceRequirement.ANY, minMemoryGb: 0, labels: [] }, priority: 1000, maxAttempts }, "test");
  const runner = await services.runners.register({ name: `sm-runner-${sequence}`, labels: [], capabilities: ["command"], device: { kind: DeviceKind.CPU, name: "", memoryGb: 1 } }, "test");
  const job = await services.jobLeases.acquire(runner.id, 0);
  expect(job?.state).toBe("leased");
  return job!;
}

async function expireLease(jobId: string): Promise<void> {
  await db.read((manager) => manager.query(`UPDATE job SET lease_expires_at = now() - interval '1 second' WHERE id = $1`, [jobId]));
}

async function stateOf(jobId: string): Promise<JobEntity> {
  return db.read((manager) => manager.findOneByOrFail(JobEntity, { id: jobId }));
}

describe(`lease state machine (${databaseKind})`, () => {
  it("a job completed after its lease expired but before the reaper ran stays completed", async () => {
    const job = await leasedJob();
    await expireLease(job.id);
    await services.jobLeases.complete(job.id, job.leaseId!, { ok: true });
    expect(await db.transaction((manager) => reapExpiredLeases(manager, policy))).toEqual([]);
    expect((await stateOf(job.id)).state).toBe("succeeded");
  });

  it("a completion committing while the reaper waits on the row wins: the reaper re-checks and skips it", async () => {
    const job = await leasedJob();
    await expireLease(job.id);
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    let completed!: () => void;
    const completedInside = new Promise<void>((resolve) => (completed = resolve));
    const completing = db.transaction(async (manager) => {
      await completeJob(manager, job.id, job.leaseId!);
      completed();
      await released;
    });
    await completedInside;
    // The reaper's UPDATE now blocks on the row (PostgreSQL) or on the embedded lock (PGlite).
    const reaping = db.transaction((manager) => reapExpiredLeases(manager, policy));
    release();
    await completing;
    expect(await reaping).toEqual([]);
    expect((await stateOf(job.id)).state).toBe("succeeded");
  });

  it("the reaper requeues an expired lease with backoff and fences the old lease holder out", async () => {
    const job = await leasedJob();
    await expireLease(job.id);
    const reaped = await db.transaction((manager) => reapExpiredLeases(manager, policy));
    expect(reaped).toEqual([{ id: job.id, run_id: job.runId, state: "queued" }]);
    const requeued = await stateOf(job.id);
    expect(requeued).toMatchObject({ state: "queued", leaseId: null, runnerId: null, failureKind: "infra_error" });
    await expect(services.jobLeases.heartbeat(job.id, job.leaseId!, null)).rejects.toMatchObject({ reason: "LEASE_LOST" });
    await expect(services.jobLeases.complete(job.id, job.leaseId!, null)).rejects.toMatchObject({ reason: "LEASE_LOST" });
    await expect(services.jobLeases.logMetrics(job.id, job.leaseId!, "late", [{ key: "loss", step: 0, value: 1 }])).rejects.toMatchObject({
      reason: "LEASE_LOST",
    });
    expect(await stateOf(job.id)).toEqual(requeued);
  });

  it("backs off exponentially with jitter between infrastructure failures, then declares the job dead", async () => {
    const job = await leasedJob(3);
    const delays: number[] = [];
    let leaseId = job.leaseId!;
    for (let attempt = 1; attempt <= 3; attempt += 1) {
      const failed = await services.jobLeases.fail(job.id, leaseId, FailureKind.INFRA_ERROR, `machine fell over ${attempt}`);
      if (attempt === 3) {
        expect(failed.state).toBe("dead");
        break;
      }
      expect(failed.state).toBe("queued");
      const [row] = await db.read((manager) =>
        manager.query(`SELECT extract(epoch FROM not_before - updated_at) AS delay FROM job WHERE id = $1`, [job.id]),
      );
      delays.push(Number(row.delay));
      // Skip the backoff and lease it again, as a runner would once it ran out.
      await db.read((manager) => manager.query(`UPDATE job SET not_before = now() WHERE id = $1`, [job.id]));
      const runner = await services.runners.register({ name: `sm-again-${attempt}-${sequence}`, labels: [], capabilities: ["command"], device: { kind: DeviceKind.CPU, name: "", memoryGb: 1 } }, "test");
      const again = await services.jobLeases.acquire(runner.id, 0);
      expect(again?.id).toBe(job.id);
      expect(again?.attempt).toBe(attempt + 1);
      leaseId = again!.leaseId!;
    }
    // attempt 1: 10 s x [0.5, 1.5); attempt 2: 20 s x [0.5, 1.5)
    expect(delays[0]).toBeGreaterThanOrEqual(5);
    expect(delays[0]).toBeLessThan(15);
    expect(delays[1]).toBeGreaterThanOrEqual(10);
    expect(delays[1]).toBeLessThan(30);
  });

  it("a cancel request turns an expired lease into CANCELLED, never back into the queue", async () => {
    const job = await leasedJob(5);
    await services.runs.cancel(job.runId);
    await expireLease(job.id);
    const reaped = await db.transaction((manager) => reapExpiredLeases(manager, policy));
    expect(reaped).toEqual([{ id: job.id, run_id: job.runId, state: "cancelled" }]);
  });
});
