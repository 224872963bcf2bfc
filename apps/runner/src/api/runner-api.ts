import { BlobClient, type DownloadedBlob, type UploadedBlob } from "@distillery/client";
import { GraphQLClient, type RequestOptions } from "@distillery/client";
import * as operations from "./operations";
import type {
  EvaluationInput,
  HeartbeatPayload,
  JobFailure,
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

/** Seconds on top of a long-poll's wait before the client gives up on the answer. */
const LONG_POLL_MARGIN_SECONDS = 15;

/** What the spool's sender needs: the job-scoped mutations that are safe to replay. */
export interface ReportingApi {
  logMetrics(job: string, leaseId: string, batchId: string, points: MetricPointInput[], signal?: AbortSignal): Promise<void>;
  appendLogs(job: string, leaseId: string, offset: number, text: string, signal?: AbortSignal): Promise<{ nextOffset: number }>;
  completeJob(job: string, leaseId: string, result: Record<string, unknown>, signal?: AbortSignal): Promise<void>;
  failJob(job: string, leaseId: string, failure: JobFailure, signal?: AbortSignal): Promise<void>;
}

/** What a step needs to hand over the files its job produced: upload, then register on the job's lease. */
export interface ArtifactApi {
  uploadBlob(hex: string, path: string, signal?: AbortSignal): Promise<UploadedBlob>;
  registerJobArtifact(job: string, leaseId: string, input: RegisterJobArtifactInput, signal?: AbortSignal): Promise<RegisteredVersion>;
}

/** What a step needs to fetch its inputs: a ref resolved to a version (or a dataset), its blob downloaded. */
export interface InputApi {
  modelVersion(ref: string, signal?: AbortSignal): Promise<ResolvedModelVersion>;
  dataset(ref: string, signal?: AbortSignal): Promise<ResolvedDataset>;
  downloadBlob(hex: string, destination: string, signal?: AbortSignal): Promise<DownloadedBlob>;
}

/** What an evaluation posts its results through, on the job's lease. */
export interface EvaluationApi {
  postEvaluation(job: string, leaseId: string, input: EvaluationInput, signal?: AbortSignal): Promise<PostedEvaluation>;
}

/** A trainer step's calls: inputs before it runs, artifacts after. */
export type TrainerApi = InputApi & ArtifactApi;

/** A step that may also quantize and evaluate (DISTILL with those sections, QUANTIZE, EVALUATE). */
export type PipelineApi = TrainerApi & EvaluationApi;

/** The runner protocol as typed calls. */
export class RunnerApi implements ReportingApi, PipelineApi {
  readonly blobs: BlobClient;

  constructor(readonly client: GraphQLClient) {
    this.blobs = new BlobClient(client.apiUrl, () => client.authorization());
  }

  async registerRunner(input: RegisterRunnerInput): Promise<RegisteredRunner> {
    return (await this.client.request(operations.registerRunner, { input })).registerRunner;
  }

  async acquireJob(runner: string, waitSeconds: number, signal?: AbortSignal): Promise<JobLease | null> {
    const timeoutMs = (waitSeconds + LONG_POLL_MARGIN_SECONDS) * 1000;
    return (await this.client.request(operations.acquireJob, { runner, waitSeconds }, { timeoutMs, ...optionsOf(signal) })).acquireJob;
  }

  async heartbeat(job: string, leaseId: string, progress: number | null, signal?: AbortSignal): Promise<HeartbeatPayload> {
    return (await this.client.request(operations.heartbeat, { job, leaseId, progress }, optionsOf(signal))).heartbeat;
  }

  async logMetrics(job: string, leaseId: string, batchId: string, points: MetricPointInput[], signal?: AbortSignal): Promise<void> {
    await this.client.request(operations.logMetrics, { job, leaseId, batchId, points }, optionsOf(signal));
  }

  async appendLogs(job: string, leaseId: string, offset: number, text: string, signal?: AbortSignal): Promise<{ nextOffset: number }> {
    return (await this.client.request(operations.appendLogs, { job, leaseId, offset, text }, optionsOf(signal))).appendLogs;
  }

  async completeJob(job: string, leaseId: string, result: Record<string, unknown>, signal?: AbortSignal): Promise<void> {
    await this.client.request(operations.completeJob, { job, leaseId, result }, optionsOf(signal));
  }

  async failJob(job: string, leaseId: string, failure: JobFailure, signal?: AbortSignal): Promise<void> {
    await this.client.request(operations.failJob, { job, leaseId, kind: failure.kind, message: failure.message }, optionsOf(signal));
  }

  /** Streams the file to PUT /v1/blobs/sha256/<hex>; one try (see BlobClient). */
  async uploadBlob(hex: string, path: string, signal?: AbortSignal): Promise<UploadedBlob> {
    return this.blobs.put(hex, path, signal);
  }

  /** Resolves name, name@v<N> or name@<alias> (READ, which the RUNNER scope implies). */
  async modelVersion(ref: string, signal?: AbortSignal): Promise<ResolvedModelVersion> {
    return (await this.client.request(operations.modelVersion, { ref }, optionsOf(signal))).modelVersion;
  }

  /** Resolves a dataset ref, name or name@v<N> (READ, which the RUNNER scope implies). */
  async dataset(ref: string, signal?: AbortSignal): Promise<ResolvedDataset> {
    return (await this.client.request(operations.dataset, { ref }, optionsOf(signal))).dataset;
  }

  /** GET /v1/blobs/sha256/<hex> into `destination`, verified; one try (see BlobClient). */
  async downloadBlob(hex: string, destination: string, signal?: AbortSignal): Promise<DownloadedBlob> {
    return this.blobs.download(hex, destination, signal);
  }

  /** Idempotent per (run, artifact): a repeat returns the version the first call registered. */
  async registerJobArtifact(job: string, leaseId: string, input: RegisterJobArtifactInput, signal?: AbortSignal): Promise<RegisteredVersion> {
    return (await this.client.request(operations.registerJobArtifact, { job, leaseId, input }, optionsOf(signal))).registerJobArtifact;
  }
  async postEvaluation(job: string, leaseId: string, input: EvaluationInput, signal?: AbortSignal): Promise<PostedEvaluation> {
    return (await this.client.request(operations.postEvaluation, { input: { jobId: job, leaseId, ...input } }, optionsOf(signal))).postEvaluation;
  }

}

function optionsOf(signal: AbortSignal | undefined): RequestOptions {
  return signal ? { signal } : {};
}
