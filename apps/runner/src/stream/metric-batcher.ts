import type { MetricPointInput } from "../api/types";

export interface MetricBatcherOptions {
  /** A batch is sent as soon as it holds this many points. Default 500. */
  maxPoints?: number;
  /** A point waits at most this long before its batch is sent. Default 500 ms. */
  maxDelayMs?: number;
}

/** Groups metric points into batches: few requests for a chatty trainer, little delay for a quiet one. */
export class MetricBatcher {
  private batch: MetricPointInput[] = [];
  private timer: NodeJS.Timeout | undefined;
  private readonly maxPoints: number;
  private readonly maxDelayMs: number;

  constructor(
    private readonly emit: (points: MetricPointInput[]) => void,
    options: MetricBatcherOptions = {},
  ) {
    this.maxPoints = options.maxPoints ?? 500;
    this.maxDelayMs = options.maxDelayMs ?? 500;
  }

  add(point: MetricPointInput): void {
    this.batch.push(point);
    if (this.batch.length >= this.maxPoints) this.flush();
    else this.timer ??= setTimeout(() => this.flush(), this.maxDelayMs);
  }

  flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.batch.length === 0) return;
    const points = this.batch;
    this.batch = [];
    this.emit(points);
  }
}
