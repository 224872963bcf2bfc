import { CliError, ExitCode } from "../cli/exit-codes";

/**
 * Runs `work` with a signal that Ctrl-C (SIGINT) or SIGTERM aborts, so the work can stop cleanly
 * (close its files, keep what a later run can resume) instead of dying mid-write.
 */
export async function interruptible<T>(work: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  const interrupt = () => controller.abort(new Error("interrupted"));
  process.once("SIGINT", interrupt);
  process.once("SIGTERM", interrupt);
  try {
    return await work(controller.signal);
  } catch (error) {
    // Whatever the work was doing when it stopped (a read, a request), the cause is the signal.
    if (controller.signal.aborted && !(error instanceof CliError)) throw new CliError("interrupted", ExitCode.INTERRUPTED);
    throw error;
  } finally {
    process.off("SIGINT", interrupt);
    process.off("SIGTERM", interrupt);
  }
}
