import { describeError, isLeaseLost } from "@distillery/client";
import type { Logger } from "../log/logger";
import type { HeartbeatPayload } from "../api/types";
import { Backoff } from "../retry/backoff";
import { sleep } from "../retry/sleep";

export interface HeartbeatApi {
  heartbeat(job: string, leaseId: string, progress: number | null, signal?: AbortSignal): Promise<HeartbeatPayload>;
}

export interface HeartbeatOptions {
  intervalMs: number;
  /** The step's latest progress; sent when it changed since the last heartbeat that got through. */
  progress: () => number | undefined;
  /** Called once, the first time the API says cancel_requested. */
  onCancelRequested: () => void;
  onLeaseLost: (error: unknown) => void;
  logger: Logger;
}

/** The protocol asks for a heartbeat about every 1/6 of the lease. */
export function heartbeatIntervalMs(leaseSeconds: number): number {
  return Math.max(100, Math.round((leaseSeconds * 1000) / 6));
}

/**
 * Keeps the lease alive while the job runs: a first beat at once (it marks the job RUNNING), then
 * one per interval. A failed beat is retried sooner, with backoff; an unreachable API is no
 * reason to stop the job — if the lease really lapsed, the server says LEASE_LOST once it is back.
 */
export class HeartbeatLoop {
  private readonly stopped = new AbortController();
  private loop: Promise<void> | undefined;

  constructor(
    private readonly api: HeartbeatApi,
    private readonly jobId: string,
    private readonly leaseId: string,
    private readonly options: HeartbeatOptions,
  ) {}

  start(): void {
    this.loop ??= this.run();
  }

  async stop(): Promise<void> {
    this.stopped.abort();
    await this.loop;
  }

  private async run(): Promise<void> {
    const { intervalMs, logger } = this.options;
    const backoff = new Backoff({ initialMs: Math.min(250, intervalMs), maxMs: intervalMs });
    let lastSent: number | undefined;
    let cancelSeen = false;
    while (!this.stopped.signal.aborted) {
      const progress = this.options.progress();
      let delay = intervalMs;
      try {
        const reply = await this.api.heartbeat(this.jobId, this.leaseId, progress !== lastSent ? (progress ?? null) : null, this.stopped.signal);
        lastSent = progress;
        if (backoff.attempts > 0) logger.info("heartbeat got through again", { failures: backoff.attempts });
        backoff.reset();
        if (reply.cancelRequested && !cancelSeen) {
          cancelSeen = true;
          this.options.onCancelRequested();
        }
      } catch (error) {
        if (this.stopped.signal.aborted) return;
        if (isLeaseLost(error)) {
          this.options.onLeaseLost(error);
          return;
        }
        delay = backoff.next();
        if (backoff.attempts === 1) logger.warn("heartbeat failed; retrying", { error: describeError(error) });
      }
      await sleep(delay, this.stopped.signal);
    }
  }
}
