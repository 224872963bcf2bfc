import type { FailureKind, MetricPoint } from "@distillery/domain";
import type { Experiment } from "../api/types";
import type { Logger } from "../log/logger";

/** Where a step sends what it produces. The job runner batches, spools and delivers it. */
export interface StepReporter {
  /** A point without `time` gets the time the runner read it. */
  metric(point: MetricPoint): void;
  /** 0..1; sent with the next heartbeat. */
  progress(fraction: number): void;
  /** One line of the run's log, without its newline. */
  log(line: string): void;
}

export interface StepContext {
  jobId: string;
  /** The lease the job runs under: calls on the job's behalf (registerJobArtifact) carry it. */
  leaseId: string;
  runId: string;
  attempt: number;
  experiment: Experiment;
  /** A fresh, empty directory for this attempt; the step's working directory. */
  jobDir: string;
  /**
   * Aborted when the step must stop early (cancel, lost lease, runner shutdown). The executor
   * stops its processes — SIGTERM, then SIGKILL after `killGraceMs` — and returns "stopped";
   * the job runner knows why and reports accordingly.
   */
  signal: AbortSignal;
  /**
   * For an executor whose own call to the API was told the lease is gone (LEASE_LOST): the job
   * runner stops the step as it does when a heartbeat learns it (`signal` aborts, nothing is
   * reported), and the executor returns "stopped".
   */
  leaseLost(): void;
  killGraceMs: number;
  /** The Python interpreter for training steps. */
  python: string;
  reporter: StepReporter;
  logger: Logger;
}

export type StepOutcome =
  | { status: "succeeded"; result: Record<string, unknown> }
  | { status: "failed"; kind: FailureKind; message: string }
  | { status: "stopped" };

/**
 * Runs one kind of experiment. The job runner owns leases, heartbeats and reporting; an executor
 * only does the work. Later kinds (PRETRAIN, DISTILL, QUANTIZE, EVALUATE, …) are more of these.
 */
export interface StepExecutor {
  /** The experiment kind it runs, as the API names it (e.g. "COMMAND"). */
  readonly kind: string;
  run(context: StepContext): Promise<StepOutcome>;
}
