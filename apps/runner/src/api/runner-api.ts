import { GraphQLClient, type RequestOptions } from "./graphql-client";
import * as operations from "./operations";
import type { HeartbeatPayload, JobFailure, JobLease, MetricPointInput, RegisterRunnerInput, RegisteredRunner } from "./types";

/** Seconds on top of a long-poll's wait before the client gives up on the answer. */
const LONG_POLL_MARGIN_SECONDS = 15;

/** What the spool's sender needs: the job-scoped mutations that are safe to replay. */
export interface ReportingApi {
  logMetrics(job: string, leaseId: string, batchId: string, points: MetricPointInput[], signal?: AbortSignal): Promise<void>;
  appendLogs(job: string, leaseId: string, offset: number, text: string, signal?: AbortSignal): Promise<{ nextOffset: number }>;
  completeJob(job: string, leaseId: string, result: Record<string, unknown>, signal?: AbortSignal): Promise<void>;
  failJob(job: string, leaseId: string, failure: JobFailure, signal?: AbortSignal): Promise<void>;
}

/** The runner protocol as typed calls. */
export class RunnerApi implements ReportingApi {
  constructor(readonly client: GraphQLClient) {}

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
}

function optionsOf(signal: AbortSignal | undefined): RequestOptions {
  return signal ? { signal } : {};
}
