import { sleep } from "../retry/sleep";

const POLL_MS = 50;

/**
 * A child spawned with `detached: true` leads its own process group; signalling the negative
 * pid reaches everything it started, so a cancel or a timeout stops the whole tree, not only
 * the shell at its top.
 */
export class ProcessGroup {
  private terminating: Promise<void> | undefined;

  constructor(
    private readonly pid: number,
    private readonly graceMs: number,
  ) {}

  /**
   * SIGTERM to the group, then SIGKILL to whatever is still there after the grace period.
   * Idempotent: every caller waits for the same termination.
   */
  terminate(): Promise<void> {
    this.terminating ??= this.terminateOnce();
    return this.terminating;
  }

  /** True while any process of the group exists (signal 0 only checks). */
  get alive(): boolean {
    return this.signal(0);
  }

  private async terminateOnce(): Promise<void> {
    if (!this.signal("SIGTERM")) return;
    const deadline = Date.now() + this.graceMs;
    while (Date.now() < deadline) {
      await sleep(Math.min(POLL_MS, Math.max(0, deadline - Date.now())));
      if (!this.alive) return;
    }
    this.signal("SIGKILL");
  }

  /** False when the group no longer exists (ESRCH). */
  private signal(signal: NodeJS.Signals | 0): boolean {
    try {
      process.kill(-this.pid, signal);
      return true;
    } catch {
      return false;
    }
  }
}
