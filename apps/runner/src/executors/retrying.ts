import { isServerError, isUnreachable } from "@distillery/client";
import type { Logger } from "../log/logger";
import { Backoff } from "../retry/backoff";
import { sleep } from "../retry/sleep";

/** Tries per call after the first, for failures that may pass (API away, 5xx). */
export const MAX_RETRIES = 4;

export interface RetryContext {
  signal: AbortSignal;
  logger: Logger;
  /** Tests shorten the waits. */
  backoff?: () => Backoff;
}

/**
 * `call`, again after a backoff while it fails in a way that may pass (unreachable, 5xx), at most
 * MAX_RETRIES more times; never past `signal`. Anything else is thrown at once.
 */
export async function retrying<T>(what: string, call: () => Promise<T>, context: RetryContext): Promise<T> {
  const backoff = context.backoff?.() ?? new Backoff({ initialMs: 500, maxMs: 8_000 });
  for (;;) {
    try {
      return await call();
    } catch (error) {
      if (context.signal.aborted || !(isUnreachable(error) || isServerError(error)) || backoff.attempts >= MAX_RETRIES) throw error;
      const waitMs = backoff.next();
      context.logger.warn(`${what} failed; trying again`, { error, waitMs, retry: backoff.attempts });
      if (!(await sleep(waitMs, context.signal))) throw error;
    }
  }
}
