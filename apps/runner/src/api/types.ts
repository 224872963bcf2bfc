import type { DeviceKind, FailureKind, JobState } from "@distillery/domain";

/** The shapes of the runner protocol as the API sends and takes them (see operations.ts). */

export interface RunnerDevice {
  kind: DeviceKind;
  name?: string;
  memoryGb?: number;
}

export interface RegisterRunnerInput {
  name: string;
  labels: string[];
  capabilities: string[];
  device: RunnerDevice;
}

export interface RegisteredRunner {
  id: string;
  name: string;
  labels: string[];
  capabilities: string[];
}

export interface Experiment {
  id: string;
  name: string;
  /** COMMAND today; later PRETRAIN, DISTILL, … An unknown kind is a string the runner reports. */
  kind: string;
  spec: Record<string, unknown>;
}

export interface JobLease {
  job: { id: string; state: JobState; attempt: number; maxAttempts: number; cancelRequested: boolean };
  leaseId: string;
  leaseExpiresAt: string;
  leaseSeconds: number;
  run: { id: string };
  experiment: Experiment;
}

export interface HeartbeatPayload {
  cancelRequested: boolean;
  leaseExpiresAt: string;
}

export interface MetricPointInput {
  key: string;
  step: number;
  value: number;
  time?: string;
}

export interface JobFailure {
  kind: FailureKind;
  message: string;
}
