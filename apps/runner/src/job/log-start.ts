import { isLeaseLost, isServerError, isUnreachable } from "@distillery/client";
import type { ReportingApi } from "../api/runner-api";
import type { JobLease } from "../api/types";
import type { Logger } from "../log/logger";
import { Backoff } from "../retry/backoff";
import { sleep } from "../retry/sleep";

/**
 * Where this lease's text starts in the run's log. The log belongs to the run and outlives an
 * attempt: a retry must append after what earlier attempts wrote, or the API would take its
 * first chunks for replays and drop them. An empty append at offset 0 overlaps everything and
 * so adds nothing; its nextOffset is the log's current end.
 *
 * Returns undefined when `signal` aborts first; throws LEASE_LOST as the API sends it.
 */
export async function findLogStart(api: ReportingApi, lease: JobLease, signal: AbortSignal, logger: Logger): Promise<number | undefined> {
  if (lease.job.attempt <= 1) return 0;
  const backoff = new Backoff();
  while (!signal.aborted) {
    try {
      return (await api.appendLogs(lease.job.id, lease.leaseId, 0, "", signal)).nextOffset;
    } catch (error) {
      if (signal.aborted) return undefined;
      if (isLeaseLost(error)) throw error;
      if (!isUnreachable(error) && !isServerError(error)) {
        logger.warn("cannot ask where the run's log ends; writing from offset 0", { error });
        return 0;
      }
      await sleep(backoff.next(), signal);
    }
  }
  return undefined;
}
