import type { MetricPoint } from "@distillery/domain";
import { randomUUID } from "node:crypto";
import type { StepReporter } from "../executors/step-executor";
import type { Outbox } from "../spool/outbox";
import type { SpoolPayload } from "../spool/spool-entry";
import { LogChunker, type LogChunkerOptions } from "./log-chunker";
import { MetricBatcher, type MetricBatcherOptions } from "./metric-batcher";

export interface JobStreamOptions {
  metrics?: MetricBatcherOptions;
  logs?: LogChunkerOptions;
}

/**
 * What one lease produces, on its way to the outbox: metric points in batches (each with a fresh
 * batch id, the key the API dedupes on), log text in byte-offset chunks, and the latest progress
 * for the heartbeat to pick up.
 */
export class JobStream implements StepReporter {
  private readonly batcher: MetricBatcher;
  private readonly chunker: LogChunker;
  private readonly writes = new Set<Promise<unknown>>();
  private latestProgress: number | undefined;
  private spoolError: unknown;

  constructor(
    private readonly outbox: Outbox,
    private readonly jobId: string,
    private readonly leaseId: string,
    logStartOffset: number,
    /** The spool could not be written (disk full…): the job runner stops the job. Called once. */
    private readonly onSpoolError: (error: unknown) => void,
    options: JobStreamOptions = {},
  ) {
    this.batcher = new MetricBatcher((points) => this.spool({ type: "metrics", batchId: randomUUID(), points }), options.metrics);
    this.chunker = new LogChunker(logStartOffset, (offset, text) => this.spool({ type: "logs", offset, text }), options.logs);
  }

  metric(point: MetricPoint): void {
    this.batcher.add({ ...point, time: point.time ?? new Date().toISOString() });
  }

  progress(fraction: number): void {
    this.latestProgress = fraction;
  }

  log(line: string): void {
    this.chunker.append(`${line}\n`);
  }

  get progressValue(): number | undefined {
    return this.latestProgress;
  }

  /** Flushes what is buffered and waits until all of it is on disk. */
  async close(): Promise<void> {
    this.batcher.flush();
    this.chunker.flush();
    while (this.writes.size > 0) await Promise.allSettled([...this.writes]);
  }

  private spool(payload: SpoolPayload): void {
    const write = this.outbox.enqueue(this.jobId, this.leaseId, payload).catch((error: unknown) => {
      if (this.spoolError !== undefined) return;
      this.spoolError = error;
      this.onSpoolError(error);
    });
    this.writes.add(write);
    void write.finally(() => this.writes.delete(write));
  }
}
