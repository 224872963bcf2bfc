import type { DeviceKind, EvaluationMeasurements, EvaluationProtocolFields, FailureKind, JobState, LineageRelation, ModelFormat, ModelRole, Precision } from "@distillery/domain";

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
  /** COMMAND, PRETRAIN, DISTILL, EXTRACTOR, … An unknown kind is a string the runner reports. */
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

export interface LineageParentInput {
  /** name, name@v<N> or name@<alias>. */
  ref: string;
  relation: LineageRelation;
  recipe?: Record<string, unknown>;
}

/** A model version a job produced; its blob must be uploaded first. Idempotent per (run, artifact). */
export interface RegisterJobArtifactInput {
  artifact: string;
  model: string;
  role: ModelRole;
  family: string;
  /** sha256:<hex> */
  digest: string;
  format: ModelFormat;
  precision: Precision;
  params?: number | null;
  metadata?: Record<string, unknown> | null;
  parents: LineageParentInput[];
}

/** A model version as a job's input: what `modelVersion(ref)` resolves a ref to. */
/** A platform dataset a spec names (`{source: "platform", ref}`), as `dataset(ref)` resolves it. */
export interface ResolvedDataset {
  /** name@v<N>, whatever the ref said (the newest when it named no version). */
  ref: string;
  /** sha256:<hex>: the npz blob to download. */
  digest: string;
}

export interface ResolvedModelVersion {
  /** name@v<N>, whatever the ref said (an alias, the newest). */
  ref: string;
  format: ModelFormat;
  precision: Precision;
  /** sha256:<hex>: the blob to download. */
  digest: string;
  metadata: Record<string, unknown>;
  model: { name: string; role: ModelRole; family: string };
  /** What was made from it (a TORCH teacher's ONNX export is a child EXPORTED_FROM it). */
  children: { relation: LineageRelation; version: { ref: string; format: ModelFormat } }[];
}

export interface RegisteredVersion {
  id: string;
  /** name@v<N> */
  ref: string;
  digest: string;
}

/** The benchmark protocol an evaluation ran under; the API keys (and ranks) results by it. */
export type EvaluationProtocolInput = EvaluationProtocolFields;

/** One model version's result on a protocol (postEvaluation, fenced by the job's lease). */
export interface EvaluationInput extends EvaluationMeasurements {
  version: string;
  protocol: EvaluationProtocolInput;
  details?: Record<string, unknown>;
}

export interface PostedEvaluation {
  id: string;
}
