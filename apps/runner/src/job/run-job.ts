import { FailureKind } from "@distillery/domain";
import { describeError, isLeaseLost } from "@distillery/client";
import type { RunnerApi } from "../api/runner-api";
import type { JobLease } from "../api/types";
import type { ExecutorRegistry } from "../executors/executor-registry";
import type { StepOutcome } from "../executors/step-executor";
import type { Logger } from "../log/logger";
import type { Outbox } from "../spool/outbox";
import type { SpoolPayload } from "../spool/spool-entry";
import { JobStream, type JobStreamOptions } from "../stream/job-stream";
import { HeartbeatLoop, heartbeatIntervalMs } from "./heartbeat-loop";
import { freshJobDir } from "./job-dir";
import { findLogStart } from "./log-start";

export interface JobDeps {
  api: RunnerApi;
  outbox: Outbox;
  executors: ExecutorRegistry;
  runnerName: string;
  workDir: string;
  killGraceMs: number;
  python: string;
  logger: Logger;
  streamOptions?: JobStreamOptions;
}

export type JobResult = "succeeded" | "failed" | "cancelled" | "lease-lost" | "interrupted";

/** Why a step was stopped before it finished on its own. */
type StopReason = { why: "cancel" } | { why: "lease-lost" } | { why: "shutdown" } | { why: "infra"; message: string };

/**
 * Runs one leased job from start to report: heartbeats throughout, the executor for the
 * experiment's kind, its output through the outbox, then completeJob or failJob — and keeps the
 * lease alive until that report has reached the API, so a finished job is not handed out again
 * because the API was away when it ended. A lost lease stops the step and reports nothing.
 */
export async function runJob(lease: JobLease, deps: JobDeps, shutdown: AbortSignal): Promise<JobResult> {
  const { job, leaseId } = lease;
  const logger = deps.logger.child({ job: job.id, run: lease.run.id, attempt: job.attempt });
  const stop = new AbortController();
  const stopWith = (reason: StopReason) => {
    if (reason.why === "lease-lost") deps.outbox.dropLease(job.id, leaseId);
    if (stop.signal.aborted) return;
    logger.info("stopping the job", reason);
    stop.abort(reason);
  };
  const onShutdown = () => stopWith({ why: "shutdown" });
  shutdown.addEventListener("abort", onShutdown, { once: true });
  const stopListening = deps.outbox.onLeaseLost((jobId, lost) => {
    if (jobId === job.id && lost === leaseId) stopWith({ why: "lease-lost" });
  });
  let stream: JobStream | undefined;
  let reported = false;
  const heartbeat = new HeartbeatLoop(deps.api, job.id, leaseId, {
    intervalMs: heartbeatIntervalMs(lease.leaseSeconds),
    progress: () => stream?.progressValue,
    onCancelRequested: () => stopWith({ why: "cancel" }),
    // Once the report is spooled, LEASE_LOST may just mean it landed (a finished job has no
    // lease to extend) with its answer lost: the outbox's replay of it finds out which.
    onLeaseLost: () => (reported ? logger.debug("heartbeat: the lease ended after the report") : stopWith({ why: "lease-lost" })),
    logger,
  });

  logger.info("job leased", { experiment: lease.experiment.name, kind: lease.experiment.kind, maxAttempts: job.maxAttempts, leaseSeconds: lease.leaseSeconds });
  heartbeat.start();
  try {
    if (shutdown.aborted) onShutdown();
    if (job.cancelRequested) stopWith({ why: "cancel" });
    const outcome = await execute(lease, deps, stop.signal, stopWith, (created) => (stream = created), logger);
    const report = reportFor(outcome, stop.signal.reason as StopReason | undefined);
    if (!report) {
      logger.warn("the lease was lost; the job is dropped without a report");
      return "lease-lost";
    }
    reported = true;
    const delivery = await deps.outbox.enqueue(job.id, leaseId, report.payload);
    logger.info("job finished", { result: report.result, ...(report.payload.type === "fail" ? { failure: report.payload.failure } : {}) });
    const settled = await untilAborted(delivery.settled, shutdown);
    return settled === "dropped" ? "lease-lost" : report.result;
  } catch (error) {
    // The outbox cannot write the report: the lease will lapse and the API retries the job.
    logger.error("could not record the job's result", { error });
    return "failed";
  } finally {
    shutdown.removeEventListener("abort", onShutdown);
    stopListening();
    await heartbeat.stop();
  }
}

async function execute(
  lease: JobLease,
  deps: JobDeps,
  signal: AbortSignal,
  stopWith: (reason: StopReason) => void,
  setStream: (stream: JobStream) => void,
  logger: Logger,
): Promise<StepOutcome> {
  const { job, leaseId, experiment } = lease;
  let logStart: number | undefined;
  try {
    logStart = await findLogStart(deps.api, lease, signal, logger);
  } catch (error) {
    if (!isLeaseLost(error)) throw error;
    stopWith({ why: "lease-lost" });
  }
  if (logStart === undefined || signal.aborted) return { status: "stopped" };

  const executor = deps.executors.get(experiment.kind);
  if (!executor) {
    const offered = deps.executors.kinds.join(", ") || "none";
    return infraFailure(`runner ${deps.runnerName} cannot run ${experiment.kind} experiments (it runs: ${offered})`);
  }
  let jobDir: string;
  try {
    jobDir = await freshJobDir(deps.workDir, job.id, job.attempt);
  } catch (error) {
    return infraFailure(`cannot create the job directory: ${describeError(error)}`);
  }
  const stream = new JobStream(
    deps.outbox,
    job.id,
    leaseId,
    logStart,
    (error) => stopWith({ why: "infra", message: `cannot write the spool: ${describeError(error)}` }),
    deps.streamOptions,
  );
  setStream(stream);
  if (job.attempt > 1) stream.log(`--- attempt ${job.attempt} of ${job.maxAttempts}, runner ${deps.runnerName} ---`);
  try {
    return await executor.run({
      jobId: job.id,
      leaseId,
      runId: lease.run.id,
      attempt: job.attempt,
      experiment,
      jobDir,
      signal,
      leaseLost: () => stopWith({ why: "lease-lost" }),
      killGraceMs: deps.killGraceMs,
      python: deps.python,
      reporter: stream,
      logger,
    });
  } catch (error) {
    logger.error("the executor failed", { error });
    return infraFailure(`the runner failed while running the step: ${describeError(error)}`);
  } finally {
    await stream.close();
  }
}

function infraFailure(message: string): StepOutcome {
  return { status: "failed", kind: FailureKind.INFRA_ERROR, message };
}

/**
 * What to tell the API. A step that succeeded is reported as such even if a cancel came in as
 * it ended (the work is done); otherwise why it was stopped wins over how it exited.
 */
function reportFor(outcome: StepOutcome, stopped: StopReason | undefined): { payload: SpoolPayload; result: JobResult } | undefined {
  if (stopped?.why === "lease-lost") return undefined;
  if (outcome.status === "succeeded") return { payload: { type: "complete", result: outcome.result }, result: "succeeded" };
  const fail = (kind: FailureKind, message: string, result: JobResult) => ({ payload: { type: "fail" as const, failure: { kind, message } }, result });
  switch (stopped?.why) {
    case "cancel":
      return fail(FailureKind.INFRA_ERROR, "cancelled", "cancelled");
    case "shutdown":
      return fail(FailureKind.INFRA_ERROR, "the runner shut down during the job", "interrupted");
    case "infra":
      return fail(FailureKind.INFRA_ERROR, stopped.message, "failed");
    case undefined:
      break;
  }
  if (outcome.status === "failed") return fail(outcome.kind, outcome.message, "failed");
  return fail(FailureKind.INFRA_ERROR, "the step stopped without a reason", "failed");
}

/** `promise`, or "aborted" as soon as `signal` aborts; the listener does not outlive the wait. */
async function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T | "aborted"> {
  if (signal.aborted) return "aborted";
  let onAbort: (() => void) | undefined;
  const aborted = new Promise<"aborted">((resolve) => {
    onAbort = () => resolve("aborted");
    signal.addEventListener("abort", onAbort, { once: true });
  });
  try {
    return await Promise.race([promise, aborted]);
  } finally {
    if (onAbort) signal.removeEventListener("abort", onAbort);
  }
}
