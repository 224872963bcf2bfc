import type { EntityManager } from "typeorm";
import { DomainError } from "@distillery/domain";
import { JobEntity } from "./job.entity";

/**
 * The job state machine as single SQL statements. Each transition names the state(s) and the
 * lease_id it expects in its WHERE clause (compare-and-set), so a transition that lost a race
 * matches no row and changes nothing. Times are the database's now().
 *
 *   queued --claim--> leased --heartbeat--> running
 *   leased/running --complete--> succeeded
 *   leased/running --fail(user) --> failed
 *   leased/running --fail(infra) / lease expired--> queued (with backoff) | dead (attempts used up)
 *   any of the above with cancel requested --> cancelled
 */

export interface RunnerOffer {
  id: string;
  deviceKind: string;
  memoryGb: number;
  labels: string[];
  capabilities: string[];
}

export interface RetryPolicy {
  leaseSeconds: number;
  /** First retry waits about this long; each further attempt doubles it (with jitter), capped at an hour. */
  backoffSeconds: number;
}

const LIVE = `state IN ('leased','running')`;

/** TypeORM returns UPDATE … RETURNING as [rows, count]; wrapping it in a SELECT returns rows. */
async function returning<T>(manager: EntityManager, sql: string, parameters: unknown[]): Promise<T[]> {
  return manager.query(`WITH changed AS (${sql}) SELECT * FROM changed`, parameters);
}

/**
 * Claims one job for a runner in a single statement: the subquery locks the best queued job this
 * runner can take, skipping rows other claimers hold. $1 runner id, $2 lease seconds, $3 device
 * kind, $4 memory GB, $5 labels, $6 capabilities. Exported for the lease benchmark's raw baseline.
 */
export const CLAIM_SQL = `UPDATE job SET state = 'leased', attempt = attempt + 1, lease_id = gen_random_uuid(),
            lease_expires_at = now() + make_interval(secs => $2), runner_id = $1, progress = NULL,
            started_at = coalesce(started_at, now()), updated_at = now()
      WHERE state = 'queued' AND id = (
        SELECT id FROM job
         WHERE state = 'queued' AND NOT cancel_requested AND not_before <= now()
           AND device IN ('any', $3) AND min_memory_gb <= $4
           AND labels <@ $5::text[] AND capabilities <@ $6::text[]
         ORDER BY priority DESC, created_at, id
         FOR UPDATE SKIP LOCKED
         LIMIT 1)
      RETURNING id`;

/** Claims the best queued job this runner can take, in one statement; null when there is none. */
export async function claimJob(manager: EntityManager, runner: RunnerOffer, policy: RetryPolicy): Promise<JobEntity | null> {
  const rows = await returning<{ id: string }>(
    manager,
    CLAIM_SQL,
    [runner.id, policy.leaseSeconds, runner.deviceKind, runner.memoryGb, runner.labels, runner.capabilities],
  );
  const claimed = rows[0];
  return claimed ? manager.findOneByOrFail(JobEntity, { id: claimed.id }) : null;
}

/**
 * Undoes a claim nobody will act on (the runner hung up while it was being made): the job goes
 * back to the queue as if it had never been leased.
 */
export async function releaseClaim(manager: EntityManager, jobId: string, leaseId: string): Promise<boolean> {
  const rows = await returning<{ id: string }>(
    manager,
    `UPDATE job SET state = 'queued', attempt = attempt - 1, lease_id = NULL, lease_expires_at = NULL, runner_id = NULL,
            started_at = CASE WHEN attempt = 1 THEN NULL ELSE started_at END, updated_at = now()
      WHERE id = $1 AND lease_id = $2 AND state = 'leased'
      RETURNING id`,
    [jobId, leaseId],
  );
  return rows.length > 0;
}

/** Extends the lease and records progress; the first heartbeat marks the job running. */
export async function heartbeatJob(
  manager: EntityManager,
  jobId: string,
  leaseId: string,
  progress: number | null,
  policy: RetryPolicy,
): Promise<JobEntity> {
  const rows = await returning<{ id: string }>(
    manager,
    `UPDATE job SET state = 'running', lease_expires_at = now() + make_interval(secs => $3),
            progress = coalesce($4, progress), updated_at = now()
      WHERE id = $1 AND lease_id = $2 AND ${LIVE}
      RETURNING id`,
    [jobId, leaseId, policy.leaseSeconds, progress],
  );
  if (rows.length === 0) await throwLeaseLost(manager, jobId);
  return manager.findOneByOrFail(JobEntity, { id: jobId });
}

/**
 * Marks the job succeeded. Idempotent: repeating it with the same lease returns the job as it
 * is. A completion that arrives after a cancel request still wins: the work is done.
 */
export async function completeJob(manager: EntityManager, jobId: string, leaseId: string): Promise<{ job: JobEntity; changed: boolean }> {
  const rows = await returning<{ id: string }>(
    manager,
    `UPDATE job SET state = 'succeeded', progress = 1, lease_expires_at = NULL, finished_at = now(), updated_at = now()
      WHERE id = $1 AND lease_id = $2 AND ${LIVE}
      RETURNING id`,
    [jobId, leaseId],
  );
  return settled(manager, jobId, leaseId, rows.length > 0);
}

/**
 * USER_ERROR fails the run at once. INFRA_ERROR puts the job back in the queue after a jittered
 * exponential backoff, until max_attempts is used up (then DEAD). A cancel request turns either
 * into CANCELLED: a cancelled run is never retried.
 */
export async function failJob(
  manager: EntityManager,
  jobId: string,
  leaseId: string,
  failure: { kind: "user_error" | "infra_error"; message: string },
  policy: RetryPolicy,
): Promise<{ job: JobEntity; changed: boolean }> {
  const rows = await returning<{ id: string }>(
    manager,
    `UPDATE job SET ${afterFailure("$3", "$5")}, error = $4
      WHERE id = $1 AND lease_id = $2 AND ${LIVE}
      RETURNING id`,
    [jobId, leaseId, failure.kind, failure.message.slice(0, 10_000), policy.backoffSeconds],
  );
  return settled(manager, jobId, leaseId, rows.length > 0);
}

/**
 * Returns expired leases to the queue (or to DEAD/CANCELLED), as failJob(INFRA_ERROR) would.
 * One statement: a job completed or re-leased since its lease expired no longer matches the
 * WHERE clause, because PostgreSQL re-checks it against the row's latest version.
 */
export async function reapExpiredLeases(manager: EntityManager, policy: RetryPolicy): Promise<Array<{ id: string; run_id: string; state: string }>> {
  return returning(
    manager,
    `UPDATE job SET ${afterFailure("'infra_error'", "$1")}, error = 'lease expired: the runner stopped heartbeating'
      WHERE ${LIVE} AND lease_expires_at < now()
      RETURNING id, run_id, state`,
    [policy.backoffSeconds],
  );
}

/** Cancels a queued job at once; a leased or running one is asked to stop through its heartbeat. */
export async function requestCancel(manager: EntityManager, runId: string): Promise<JobEntity | null> {
  const rows = await returning<{ id: string }>(
    manager,
    `UPDATE job SET cancel_requested = true, updated_at = now(),
            state = CASE WHEN state = 'queued' THEN 'cancelled' ELSE state END,
            finished_at = CASE WHEN state = 'queued' THEN now() ELSE finished_at END
      WHERE run_id = $1 AND state IN ('queued','leased','running')
      RETURNING id`,
    [runId],
  );
  return rows[0] ? manager.findOneByOrFail(JobEntity, { id: rows[0].id }) : null;
}

/**
 * The SET list shared by failJob and the reaper: `kindSql` is the failure kind, `backoffSql` the
 * backoff base in seconds. Requeued jobs lose their lease_id, so the runner that held it is fenced out.
 */
function afterFailure(kindSql: string, backoffSql: string): string {
  const next = `CASE WHEN cancel_requested THEN 'cancelled'
                     WHEN ${kindSql} = 'user_error' THEN 'failed'
                     WHEN attempt >= max_attempts THEN 'dead'
                     ELSE 'queued' END`;
  const requeued = `(NOT cancel_requested AND ${kindSql} <> 'user_error' AND attempt < max_attempts)`;
  return `state = ${next},
          failure_kind = ${kindSql},
          lease_id = CASE WHEN ${requeued} THEN NULL ELSE lease_id END,
          runner_id = CASE WHEN ${requeued} THEN NULL ELSE runner_id END,
          lease_expires_at = NULL,
          not_before = CASE WHEN ${requeued}
                            THEN now() + make_interval(secs => least(3600, ${backoffSql}::float8 * power(2, attempt - 1) * (0.5 + random())))
                            ELSE not_before END,
          finished_at = CASE WHEN ${requeued} THEN NULL ELSE now() END,
          updated_at = now()`;
}

/** After a complete/fail that matched nothing: a repeat with the same lease is fine, anything else lost the lease. */
async function settled(manager: EntityManager, jobId: string, leaseId: string, changed: boolean) {
  const job = await manager.findOneBy(JobEntity, { id: jobId });
  if (!job) throw new DomainError("JOB_NOT_FOUND", `No job ${jobId}`, { job: jobId });
  if (!changed && job.leaseId !== leaseId) await throwLeaseLost(manager, jobId);
  return { job, changed };
}

async function throwLeaseLost(manager: EntityManager, jobId: string): Promise<never> {
  const job = await manager.findOneBy(JobEntity, { id: jobId });
  if (!job) throw new DomainError("JOB_NOT_FOUND", `No job ${jobId}`, { job: jobId });
  throw new DomainError("LEASE_LOST", `The lease on job ${jobId} is no longer yours (the job is ${job.state})`, {
    job: jobId,
    state: job.state.toUpperCase(),
  });
}
