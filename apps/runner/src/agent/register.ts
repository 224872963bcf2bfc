import { ApiError, isAuthError, isServerError, isUnreachable } from "@distillery/client";
import type { RunnerApi } from "../api/runner-api";
import type { RegisterRunnerInput, RegisteredRunner } from "../api/types";
import type { Logger } from "../log/logger";
import { Backoff } from "../retry/backoff";
import { sleep } from "../retry/sleep";
import { EXIT_AUTH, FatalError } from "./fatal-error";

/**
 * Registers (an upsert by name: a restarted runner gets its id back). Waits out an API that is
 * not up yet; a refused token or a rejected registration ends the runner. Undefined when
 * `shutdown` aborts first.
 */
export async function registerRunner(api: RunnerApi, input: RegisterRunnerInput, shutdown: AbortSignal, logger: Logger): Promise<RegisteredRunner | undefined> {
  const backoff = new Backoff({ maxMs: 10_000 });
  while (!shutdown.aborted) {
    try {
      const runner = await api.registerRunner(input);
      logger.info("registered", { runnerId: runner.id, name: runner.name, labels: runner.labels, capabilities: runner.capabilities });
      return runner;
    } catch (error) {
      const fatal = fatalErrorFor(error);
      if (fatal) throw fatal;
      const delay = backoff.next();
      if (backoff.attempts === 1 || backoff.attempts % 10 === 0) logger.warn("cannot register yet; retrying", { error, retryInMs: delay, attempts: backoff.attempts });
      await sleep(delay, shutdown);
    }
  }
  return undefined;
}

/** A FatalError for what retrying cannot fix (a refused token, a rejected request); undefined for what it may. */
export function fatalErrorFor(error: unknown): FatalError | undefined {
  if (isAuthError(error)) {
    const { code, reason } = error as ApiError;
    return new FatalError(`the API refused the token (${code}${reason !== code ? ` ${reason}` : ""}); a runner needs a token with the RUNNER scope`, EXIT_AUTH);
  }
  if (isUnreachable(error) || isServerError(error)) return undefined;
  if (error instanceof ApiError) return new FatalError(`the API rejected the runner: ${error.message} (${error.reason})`);
  return undefined;
}
