import type { EntityManager } from "typeorm";
import { DomainError, isUuid, type FailureKind, type MetricPoint, toDbEnum } from "@distillery/domain";
import type { Database } from "../../db/database";
import type { EventBus } from "../../graphql/event-bus";
import { appendLog } from "../metric/run-log";
import { ingestMetrics, type IngestResult, validatePoints } from "../metric/metric.service";
import { JobEntity } from "../run/job.entity";
import { claimJob, completeJob, failJob, heartbeatJob, releaseClaim, type RetryPolicy } from "../run/job-queue";
import type { JobSignal } from "../run/job-signal";
import { RUN_LOGS, RUN_METRICS, RUN_UPDATED, type RunLogsMessage, type RunMetricsMessage, type RunUpdatedMessage } from "../run/run.events";
import { type RunnerService, touchRunner } from "./runner.service";

/** acquireJob waits at most this long; below typical proxy idle timeouts. */
export const MAX_WAIT_SECONDS = 25;
/** While waiting, re-check the queue this often (jobs freed by other replicas or by a backoff). */
const REPOLL_MS = 1000;

/** The runner side of the protocol. Every job-scoped call is fenced by the lease id. */
export class JobLeaseService {
  constructor(
    private readonly db: Database,
    private readonly events: EventBus,
    private readonly jobSignal: JobSignal,
    private readonly runners: RunnerService,
    private readonly policy: RetryPolicy,
  ) {}

  /**
   * Long-polls up to `waitSeconds` for a job this runner can take; null when none came. Stops
   * waiting when `abort` fires (the runner hung up), and hands back a job claimed too late.
   */
  async acquire(runnerId: string, waitSeconds: number, abort?: AbortSignal): Promise<JobEntity | null> {
    if (!Number.isInteger(waitSeconds) || waitSeconds < 0 || waitSeconds > MAX_WAIT_SECONDS) {
      throw new DomainError("INVALID_ARGUMENT", `waitSeconds must be between 0 and ${MAX_WAIT_SECONDS}`, { field: "waitSeconds" });
    }
    const runner = await this.runners.get(runnerId);
    const offer = {
      id: runner.id,
      deviceKind: toDbEnum(runner.device.kind),
      memoryGb: runner.device.memoryGb,
      labels: runner.labels,
      capabilities: runner.capabilities,
    };
    const deadline = Date.now() + waitSeconds * 1000;
    for (;;) {
      if (abort?.aborted) return null;
      // Marking the runner as seen rides in the claim's transaction: one commit per attempt.
      const job = await this.db.transaction(async (manager) => {
        await touchRunner(manager, runnerId);
        return claimJob(manager, offer, this.policy);
      });
      if (job && abort?.aborted) {
        await this.db.transaction((manager) => releaseClaim(manager, job.id, job.leaseId!));
        this.jobSignal.notify();
        return null;
      }
      if (job) {
        this.publishRunUpdate(job.runId);
        return job;
      }
      const remaining = deadline - Date.now();
      if (remaining <= 0) return null;
      await this.jobSignal.wait(Math.min(remaining, REPOLL_MS), abort);
    }
  }

  async heartbeat(jobId: string, leaseId: string, progress: number | null): Promise<JobEntity> {
    if (progress !== null && !(progress >= 0 && progress <= 1)) {
      throw new DomainError("INVALID_ARGUMENT", "progress must be between 0 and 1", { field: "progress" });
    }
    const job = await this.db.transaction(async (manager) => {
      const beaten = await heartbeatJob(manager, jobId, leaseId, progress, this.policy);
      if (beaten.runnerId) await touchRunner(manager, beaten.runnerId);
      return beaten;
    });
    this.publishRunUpdate(job.runId);
    return job;
  }

  async logMetrics(jobId: string, leaseId: string, batchId: string, points: MetricPoint[]): Promise<IngestResult> {
    if (batchId.length < 1 || batchId.length > 200) {
      throw new DomainError("INVALID_ARGUMENT", "batchId must be 1 to 200 characters", { field: "batchId" });
    }
    validatePoints(points);
    const { runId, result } = await this.db.transaction(async (manager) => {
      const runId = await leasedRun(manager, jobId, leaseId);
      return { runId, result: await ingestMetrics(manager, runId, batchId, points) };
    });
    if (result.accepted > 0) this.events.publish(RUN_METRICS, { runId, points: result.stored } satisfies RunMetricsMessage);
    return result;
  }

  async appendLogs(jobId: string, leaseId: string, offset: number, text: string): Promise<number> {
    const { runId, totalBytes } = await this.db.transaction(async (manager) => {
      const runId = await leasedRun(manager, jobId, leaseId);
      return { runId, totalBytes: await appendLog(manager, runId, offset, text) };
    });
    // After the commit, so a follower woken by it reads the new bytes.
    this.events.publish(RUN_LOGS, { runId, totalBytes } satisfies RunLogsMessage);
    return totalBytes;
  }

  async complete(jobId: string, leaseId: string, result: Record<string, unknown> | null): Promise<JobEntity> {
    const { job, changed } = await this.db.transaction(async (manager) => {
      const outcome = await completeJob(manager, jobId, leaseId);
      if (outcome.changed && result) await manager.query(`UPDATE run SET result = $2 WHERE id = $1`, [outcome.job.runId, result]);
      return outcome;
    });
    if (changed) this.publishRunUpdate(job.runId);
    return job;
  }

  async fail(jobId: string, leaseId: string, kind: FailureKind, message: string): Promise<JobEntity> {
    const failure = { kind: toDbEnum(kind) as "user_error" | "infra_error", message };
    const { job, changed } = await this.db.transaction((manager) => failJob(manager, jobId, leaseId, failure, this.policy));
    if (changed) {
      this.publishRunUpdate(job.runId);
      if (job.state === "queued") this.jobSignal.notify();
    }
    return job;
  }

  private publishRunUpdate(runId: string): void {
    this.events.publish(RUN_UPDATED, { runId } satisfies RunUpdatedMessage);
  }
}

/**
 * The run a lease-holder may write to. Metrics and logs are accepted while the lease id is the
 * job's, even after completion (a spooled batch may arrive after completeJob); once the job was
 * re-leased or requeued the id no longer matches and the writer gets LEASE_LOST.
 */
export async function leasedRun(manager: EntityManager, jobId: string, leaseId: string): Promise<string> {
  // Same answer as the SQL-fenced calls give a malformed id (the database refuses it there).
  if (!isUuid(leaseId)) throw new DomainError("INVALID_ARGUMENT", `leaseId "${leaseId}" is not a lease id`, { field: "leaseId" });
  // FOR SHARE: a requeue or re-lease of this job waits until this write has committed.
  const job = await manager.findOne(JobEntity, { where: { id: jobId }, lock: { mode: "pessimistic_read" } });
  if (!job) throw new DomainError("JOB_NOT_FOUND", `No job ${jobId}`, { job: jobId });
  if (job.leaseId !== leaseId) {
    throw new DomainError("LEASE_LOST", `The lease on job ${jobId} is no longer yours (the job is ${job.state})`, {
      job: jobId,
      state: job.state.toUpperCase(),
    });
  }
  return job.runId;
}

