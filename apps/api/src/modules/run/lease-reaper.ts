import type { FastifyBaseLogger } from "fastify";
import type { Database } from "../../db/database";
import type { EventBus } from "../../graphql/event-bus";
import { reapExpiredLeases, type RetryPolicy } from "./job-queue";
import type { JobSignal } from "./job-signal";
import { RUN_UPDATED, type RunUpdatedMessage } from "./run.events";

/**
 * Returns jobs whose runner stopped heartbeating to the queue (or to DEAD/CANCELLED). Runs in
 * every API replica; the compare-and-set in reapExpiredLeases makes concurrent reapers harmless.
 */
export class LeaseReaper {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> = Promise.resolve();

  constructor(
    private readonly db: Database,
    private readonly events: EventBus,
    private readonly jobSignal: JobSignal,
    private readonly policy: RetryPolicy,
    private readonly logger: FastifyBaseLogger,
  ) {}

  /** Checks several times per lease length, so a dead runner's job waits at most about 1.25 leases. */
  start(): void {
    const intervalMs = Math.max(250, Math.min(5000, (this.policy.leaseSeconds * 1000) / 4));
    this.timer = setInterval(() => {
      this.running = this.running.then(() => this.reapOnce()).catch((error: unknown) => this.logger.error({ err: error }, "lease reaper failed"));
    }, intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.running;
  }

  async reapOnce(): Promise<void> {
    const reaped = await this.db.transaction((manager) => reapExpiredLeases(manager, this.policy));
    for (const job of reaped) {
      this.logger.warn({ job: job.id, run: job.run_id, state: job.state }, "lease expired");
      this.events.publish(RUN_UPDATED, { runId: job.run_id } satisfies RunUpdatedMessage);
    }
    if (reaped.some((job) => job.state === "queued")) this.jobSignal.notify();
  }
}
