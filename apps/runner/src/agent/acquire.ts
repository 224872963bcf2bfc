import { ApiError } from "@distillery/client";
import type { RunnerApi } from "../api/runner-api";
import type { JobLease } from "../api/types";
import type { Logger } from "../log/logger";
import { Backoff } from "../retry/backoff";
import { sleep } from "../retry/sleep";
import { fatalErrorFor } from "./register";

/** Under the API's 25 s cap, and well under common proxy idle timeouts (30-60 s). */
export const ACQUIRE_WAIT_SECONDS = 20;

/**
 * Long-polls for the next job until one comes or `shutdown` aborts (then undefined). `reregister`
 * runs when the API no longer knows this runner (deleted while it was away).
 */
export async function acquireNextJob(
  api: RunnerApi,
  runnerId: () => string,
  reregister: () => Promise<void>,
  shutdown: AbortSignal,
  logger: Logger,
): Promise<JobLease | undefined> {
  const backoff = new Backoff({ maxMs: 10_000 });
  while (!shutdown.aborted) {
    try {
      const lease = await api.acquireJob(runnerId(), ACQUIRE_WAIT_SECONDS, shutdown);
      if (backoff.attempts > 0) logger.info("the API answers again", { failures: backoff.attempts });
      backoff.reset();
      if (lease) return lease;
    } catch (error) {
      if (shutdown.aborted) return undefined;
      if (error instanceof ApiError && error.reason === "RUNNER_NOT_FOUND") {
        logger.warn("the API no longer knows this runner; registering again");
        await reregister();
        continue;
      }
      const fatal = fatalErrorFor(error);
      if (fatal) throw fatal;
      const delay = backoff.next();
      if (backoff.attempts === 1 || backoff.attempts % 10 === 0) logger.warn("cannot ask for a job; retrying", { error, retryInMs: delay, attempts: backoff.attempts });
      await sleep(delay, shutdown);
    }
  }
  return undefined;
}
