/**
 * Wakes long-polling acquireJob calls when a job may have become available (launched, retried,
 * requeued). In-process only: waiters also re-poll the database every second, which covers jobs
 * made available by another API replica or by a backoff running out.
 */
export class JobSignal {
  private waiters = new Set<() => void>();

  notify(): void {
    const waiting = this.waiters;
    this.waiters = new Set();
    for (const wake of waiting) wake();
  }

  /** Resolves on the next notify(), after `ms`, or when `abort` fires, whichever comes first. */
  wait(ms: number, abort?: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        abort?.removeEventListener("abort", wake);
        this.waiters.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      abort?.addEventListener("abort", wake, { once: true });
      this.waiters.add(wake);
    });
  }
}
