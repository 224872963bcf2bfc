import { defineOperation } from "@distillery/client";
import type {
  EvaluationInput,
  HeartbeatPayload,
  JobLease,
  MetricPointInput,
  PostedEvaluation,
  RegisterJobArtifactInput,
  RegisterRunnerInput,
  RegisteredRunner,
  RegisteredVersion,
  ResolvedDataset,
  ResolvedModelVersion,
} from "./types";
import type { FailureKind } from "@distillery/domain";

/** Every document the runner sends. test/operations.test.ts validates them against the schema. */

export const registerRunner = defineOperation<{ registerRunner: RegisteredRunner }, { input: RegisterRunnerInput }>(
  "RegisterRunner",
  `mutation RegisterRunner($input: RegisterRunnerInput!) {
    registerRunner(input: $input) { id name labels capabilities }
  }`,
);

export const acquireJob = defineOperation<{ acquireJob: JobLease | null }, { runner: string; waitSeconds: number }>(
  "AcquireJob",
  `mutation AcquireJob($runner: ID!, $waitSeconds: Int!) {
    acquireJob(runner: $runner, waitSeconds: $waitSeconds) {
      job { id state attempt maxAttempts cancelRequested }
      leaseId leaseExpiresAt leaseSeconds
      run { id }
      experiment { id name kind spec }
    }
  }`,
);

export const heartbeat = defineOperation<{ heartbeat: HeartbeatPayload }, { job: string; leaseId: string; progress: number | null }>(
  "Heartbeat",
  `mutation Heartbeat($job: ID!, $leaseId: ID!, $progress: Float) {
    heartbeat(job: $job, leaseId: $leaseId, progress: $progress) { cancelRequested leaseExpiresAt }
  }`,
);

export const logMetrics = defineOperation<
  { logMetrics: { accepted: number; duplicate: boolean } },
  { job: string; leaseId: string; batchId: string; points: MetricPointInput[] }
>(
  "LogMetrics",
  `mutation LogMetrics($job: ID!, $leaseId: ID!, $batchId: String!, $points: [MetricPointInput!]!) {
    logMetrics(job: $job, leaseId: $leaseId, batchId: $batchId, points: $points) { accepted duplicate }
  }`,
);

export const appendLogs = defineOperation<{ appendLogs: { nextOffset: number } }, { job: string; leaseId: string; offset: number; text: string }>(
  "AppendLogs",
  `mutation AppendLogs($job: ID!, $leaseId: ID!, $offset: SafeInt!, $text: String!) {
    appendLogs(job: $job, leaseId: $leaseId, offset: $offset, text: $text) { nextOffset }
  }`,
);

export const completeJob = defineOperation<{ completeJob: { id: string; state: string } }, { job: string; leaseId: string; result: Record<string, unknown> }>(
  "CompleteJob",
  `mutation CompleteJob($job: ID!, $leaseId: ID!, $result: JSONObject) {
    completeJob(job: $job, leaseId: $leaseId, result: $result) { id state }
  }`,
);

export const failJob = defineOperation<{ failJob: { id: string; state: string } }, { job: string; leaseId: string; kind: FailureKind; message: string }>(
  "FailJob",
  `mutation FailJob($job: ID!, $leaseId: ID!, $kind: FailureKind!, $message: String!) {
    failJob(job: $job, leaseId: $leaseId, kind: $kind, message: $message) { id state }
  }`,
);

export const registerJobArtifact = defineOperation<
  { registerJobArtifact: RegisteredVersion },
  { job: string; leaseId: string; input: RegisterJobArtifactInput }
>(
  "RegisterJobArtifact",
  `mutation RegisterJobArtifact($job: ID!, $leaseId: ID!, $input: RegisterJobArtifactInput!) {
    registerJobArtifact(job: $job, leaseId: $leaseId, input: $input) { id ref digest }
  }`,
);

/** A job's input model (a distill's teacher); the RUNNER scope implies READ. */
export const modelVersion = defineOperation<{ modelVersion: ResolvedModelVersion }, { ref: string }>(
  "ModelVersion",
  `query ModelVersion($ref: String!) {
    modelVersion(ref: $ref) {
      ref format precision digest metadata
      model { name role family }
      children { relation version { ref format } }
    }
  }`,
);

/** A job's input dataset (`{source: "platform", ref}` in its spec); the RUNNER scope implies READ. */
export const dataset = defineOperation<{ dataset: ResolvedDataset }, { ref: string }>(
  "Dataset",
  `query Dataset($ref: String!) {
    dataset(ref: $ref) { ref digest }
  }`,
);

/** One model version's result on a benchmark protocol; fenced by the job's lease, idempotent per version, protocol and run. */
export const postEvaluation = defineOperation<{ postEvaluation: PostedEvaluation }, { input: EvaluationInput & { jobId: string; leaseId: string } }>(
  "PostEvaluation",
  `mutation PostEvaluation($input: PostEvaluationInput!) {
    postEvaluation(input: $input) { id }
  }`,
);

export const allOperations = [registerRunner, acquireJob, heartbeat, logMetrics, appendLogs, completeJob, failJob, registerJobArtifact, modelVersion, dataset, postEvaluation];
