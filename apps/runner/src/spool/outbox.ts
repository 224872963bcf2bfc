import { expectedLogOffset, isAuthError, isLeaseLost, isServerError, isUnreachable } from "@distillery/client";
import type { ReportingApi } from "../api/runner-api";
import type { Logger } from "../log/logger";
import { Backoff, type BackoffOptions } from "../retry/backoff";
import { sleep } from "../retry/sleep";
import { type SpoolEntry, type SpoolPayload, type SpoolRef, leaseKeyOf } from "./spool-entry";
import type { SpoolStore } from "./spool-store";

export type Settlement = "delivered" | "dropped";

export interface Delivery {
  seq: number;
  /** Resolves once the entry reached the API, or was given up (lease lost, rejected). Never rejects. */
  settled: Promise<Settlement>;
}

export interface OutboxOptions {
  backoff?: BackoffOptions;
  /**
   * Answers that are errors from a reachable API (INTERNAL, UNAUTHENTICATED, FORBIDDEN) are
   * retried this many times, then the entry is dropped: one poisoned entry must not block every
   * later one. An unreachable API is retried for as long as it takes.
   */
  maxErrorAttempts?: number;
}

export type LeaseLostListener = (jobId: string, leaseId: string) => void;

/**
 * Metric batches, log chunks and the final complete/fail, written to disk first and delivered
 * strictly in order by one background sender. The API dedupes batch ids and log offsets, so
 * delivering an entry twice (the answer was lost, the process died before deleting the file) is
 * harmless; losing one is not, hence disk first.
 */
export class Outbox {
  private readonly queue: SpoolRef[] = [];
  private readonly settlers = new Map<number, (settlement: Settlement) => void>();
  private readonly droppedLeases = new Set<string>();
  /** Per lease: how far the server's log is from ours after a LOG_OFFSET_GAP (see deliver). */
  private readonly logShift = new Map<string, number>();
  private readonly leaseLostListeners = new Set<LeaseLostListener>();
  private readonly idleWaiters: Array<() => void> = [];
  private readonly stopping = new AbortController();
  private nextSeq: number;
  private writing = 0;
  private wake: (() => void) | undefined;
  private unreachableSince: number | undefined;
  private readonly sender: Promise<void>;

  private constructor(
    private readonly store: SpoolStore,
    private readonly api: ReportingApi,
    private readonly logger: Logger,
    leftover: SpoolRef[],
    private readonly options: OutboxOptions,
  ) {
    this.queue.push(...leftover);
    this.nextSeq = (leftover.at(-1)?.seq ?? 0) + 1;
    this.sender = this.send();
  }

  /** Opens the spool and starts delivering whatever a previous process left in it. */
  static async open(store: SpoolStore, api: ReportingApi, logger: Logger, options: OutboxOptions = {}): Promise<Outbox> {
    const leftover = await store.load();
    if (leftover.length > 0) {
      const jobs = [...new Set(leftover.map((ref) => ref.jobId))];
      logger.info("replaying the spool a previous runner process left", { entries: leftover.length, jobs });
    }
    return new Outbox(store, api, logger, leftover, options);
  }

  /**
   * Resolves once the entry is on disk. Entries are delivered in the order of enqueue calls,
   * whatever the order their writes finish in.
   */
  async enqueue(jobId: string, leaseId: string, payload: SpoolPayload): Promise<Delivery> {
    if (this.stopping.signal.aborted) throw new Error("the outbox is closed");
    const entry: SpoolEntry = { seq: this.nextSeq++, jobId, leaseId, payload };
    const settled = new Promise<Settlement>((resolve) => this.settlers.set(entry.seq, resolve));
    this.writing += 1;
    try {
      await this.store.write(entry);
    } catch (error) {
      this.settle(entry.seq, "dropped");
      throw error;
    } finally {
      this.writing -= 1;
    }
    insertInOrder(this.queue, { seq: entry.seq, jobId });
    this.wake?.();
    this.checkIdle();
    return { seq: entry.seq, settled };
  }

  /** Gives up the entries of a lease we know is lost: the sender deletes them unsent. */
  dropLease(jobId: string, leaseId: string): void {
    this.droppedLeases.add(leaseKeyOf({ jobId, leaseId }));
    this.wake?.();
  }

  /** Called when the API answers LEASE_LOST to an entry: the job runner stops the job. */
  onLeaseLost(listener: LeaseLostListener): () => void {
    this.leaseLostListeners.add(listener);
    return () => this.leaseLostListeners.delete(listener);
  }

  get pending(): number {
    return this.queue.length + this.writing;
  }

  /** Resolves when everything enqueued so far has been settled. */
  idle(): Promise<void> {
    if (this.pending === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Waits up to `timeoutMs` for the spool to empty; true when it did. */
  async drain(timeoutMs: number): Promise<boolean> {
    const timer = new AbortController();
    await Promise.race([this.idle(), sleep(timeoutMs, timer.signal)]);
    timer.abort();
    return this.pending === 0;
  }

  /** Stops the sender (an in-flight request is aborted). What is not delivered stays on disk. */
  async close(): Promise<void> {
    this.stopping.abort();
    this.wake?.();
    await this.sender;
  }

  private async send(): Promise<void> {
    while (!this.stopping.signal.aborted) {
      const ref = this.queue[0];
      if (!ref) {
        await new Promise<void>((resolve) => (this.wake = resolve));
        this.wake = undefined;
        continue;
      }
      const settlement = await this.deliverWithRetry(ref);
      if (settlement === "closed") return;
      this.queue.shift();
      await this.store.remove(ref).catch((error: unknown) => this.logger.error("could not delete a delivered spool entry", { seq: ref.seq, error }));
      this.settle(ref.seq, settlement);
      this.checkIdle();
    }
  }

  private async deliverWithRetry(ref: SpoolRef): Promise<Settlement | "closed"> {
    let entry: SpoolEntry;
    try {
      entry = await this.store.read(ref);
    } catch (error) {
      this.logger.error("dropping an unreadable spool entry", { path: this.store.pathOf(ref), error });
      return "dropped";
    }
    const leaseKey = leaseKeyOf(entry);
    const backoff = new Backoff(this.options.backoff);
    let errorAttempts = 0;
    let gapFixes = 0;
    for (;;) {
      if (this.droppedLeases.has(leaseKey)) return "dropped";
      try {
        await this.deliver(entry);
        this.markReachable();
        return "delivered";
      } catch (error) {
        if (this.stopping.signal.aborted) return "closed";
        if (isLeaseLost(error)) {
          this.markReachable();
          this.leaseLost(entry, error);
          return "dropped";
        }
        const expected = expectedLogOffset(error);
        if (expected !== undefined && entry.payload.type === "logs" && gapFixes++ < 3) {
          this.shiftLog(entry, expected);
          continue;
        }
        const retryable = isUnreachable(error) || isServerError(error) || isAuthError(error);
        if (!retryable || (!isUnreachable(error) && ++errorAttempts > (this.options.maxErrorAttempts ?? 10))) {
          this.logger.error("the API rejected a spooled entry; dropping it", { seq: entry.seq, job: entry.jobId, type: entry.payload.type, error });
          return "dropped";
        }
        this.markUnreachable(entry, error);
        if (!(await sleep(backoff.next(), this.stopping.signal))) return "closed";
      }
    }
  }

  private async deliver(entry: SpoolEntry): Promise<void> {
    const { jobId, leaseId, payload } = entry;
    const signal = this.stopping.signal;
    switch (payload.type) {
      case "metrics":
        return this.api.logMetrics(jobId, leaseId, payload.batchId, payload.points, signal);
      case "logs": {
        const offset = payload.offset + (this.logShift.get(leaseKeyOf(entry)) ?? 0);
        await this.api.appendLogs(jobId, leaseId, offset, payload.text, signal);
        return;
      }
      case "complete":
        return this.api.completeJob(jobId, leaseId, payload.result, signal);
      case "fail":
        return this.api.failJob(jobId, leaseId, payload.failure, signal);
    }
  }

  /**
   * The server's log ends before our offset: bytes we counted never arrived (a log reset on the
   * server, a spool deleted by hand). Re-anchor this lease's later chunks at the server's end
   * rather than stall the job's log forever.
   */
  private shiftLog(entry: SpoolEntry, expected: number): void {
    if (entry.payload.type !== "logs") return;
    const key = leaseKeyOf(entry);
    const shift = this.logShift.get(key) ?? 0;
    this.logShift.set(key, shift + expected - (entry.payload.offset + shift));
    this.logger.warn("the run's log on the server is shorter than ours; continuing at its end", { job: entry.jobId, expectedOffset: expected });
  }

  private leaseLost(entry: SpoolEntry, error: unknown): void {
    this.droppedLeases.add(leaseKeyOf(entry));
    this.logger.warn("the lease is lost; dropping its spooled entries", { job: entry.jobId, error });
    for (const listener of this.leaseLostListeners) listener(entry.jobId, entry.leaseId);
  }

  private markUnreachable(entry: SpoolEntry, error: unknown): void {
    if (this.unreachableSince !== undefined) return;
    this.unreachableSince = Date.now();
    this.logger.warn("cannot deliver to the API; spooling on disk and retrying", { job: entry.jobId, error });
  }

  private markReachable(): void {
    if (this.unreachableSince === undefined) return;
    this.logger.info("the API is reachable again; replaying the spool", { afterMs: Date.now() - this.unreachableSince, pending: this.pending });
    this.unreachableSince = undefined;
  }

  private settle(seq: number, settlement: Settlement): void {
    this.settlers.get(seq)?.(settlement);
    this.settlers.delete(seq);
  }

  private checkIdle(): void {
    if (this.pending > 0) return;
    for (const resolve of this.idleWaiters.splice(0)) resolve();
  }
}

/** Writes usually finish in order; when one overtakes another, the queue still follows seq. */
function insertInOrder(queue: SpoolRef[], ref: SpoolRef): void {
  let index = queue.length;
  while (index > 0 && (queue[index - 1]?.seq ?? 0) > ref.seq) index -= 1;
  queue.splice(index, 0, ref);
}
