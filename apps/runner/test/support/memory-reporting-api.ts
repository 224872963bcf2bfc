import { ApiError, ApiUnreachableError } from "@distillery/client";
import type { ReportingApi } from "../../src/api/runner-api";
import type { JobFailure, MetricPointInput } from "../../src/api/types";

/**
 * The job-scoped mutations as the server implements them, in memory: batch ids and log offsets
 * deduped, leases fenced. Switches simulate an unreachable API and answers lost after the
 * server already applied the call.
 */
export class MemoryReportingApi implements ReportingApi {
  readonly points: MetricPointInput[] = [];
  readonly batchIds = new Set<string>();
  log = Buffer.alloc(0);
  readonly reports: Array<{ job: string; type: "complete" | "fail"; detail: unknown }> = [];
  readonly calls: string[] = [];
  readonly lostLeases = new Set<string>();
  down = false;
  /** The next N calls are applied but their answer never arrives. */
  loseAnswers = 0;
  /** The next N calls get this error without being applied. */
  rejectNext: { count: number; error: () => Error } = { count: 0, error: () => new Error("unset") };

  async logMetrics(_job: string, leaseId: string, batchId: string, points: MetricPointInput[]): Promise<void> {
    this.enter(`metrics ${batchId}`, leaseId);
    if (!this.batchIds.has(batchId)) {
      this.batchIds.add(batchId);
      this.points.push(...points);
    }
    this.leave();
  }

  async appendLogs(_job: string, leaseId: string, offset: number, text: string): Promise<{ nextOffset: number }> {
    this.enter(`logs ${offset}`, leaseId);
    if (offset > this.log.length) {
      throw new ApiError("gap", "BAD_USER_INPUT", "LOG_OFFSET_GAP", { expectedOffset: this.log.length }, 200);
    }
    const bytes = Buffer.from(text, "utf8");
    const overlap = this.log.length - offset;
    if (overlap < bytes.length) this.log = Buffer.concat([this.log, bytes.subarray(overlap)]);
    this.leave();
    return { nextOffset: this.log.length };
  }

  async completeJob(job: string, leaseId: string, result: Record<string, unknown>): Promise<void> {
    this.enter("complete", leaseId);
    this.reports.push({ job, type: "complete", detail: result });
    this.leave();
  }

  async failJob(job: string, leaseId: string, failure: JobFailure): Promise<void> {
    this.enter("fail", leaseId);
    this.reports.push({ job, type: "fail", detail: failure });
    this.leave();
  }

  get logText(): string {
    return this.log.toString("utf8");
  }

  private enter(call: string, leaseId: string): void {
    this.calls.push(call);
    if (this.down) throw new ApiUnreachableError("connect ECONNREFUSED");
    if (this.rejectNext.count > 0) {
      this.rejectNext.count -= 1;
      throw this.rejectNext.error();
    }
    if (this.lostLeases.has(leaseId)) throw new ApiError("lost", "CONFLICT", "LEASE_LOST", {}, 200);
  }

  private leave(): void {
    if (this.loseAnswers > 0) {
      this.loseAnswers -= 1;
      throw new ApiUnreachableError("socket hang up");
    }
  }
}
