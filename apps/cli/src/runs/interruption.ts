import { ExitCode } from "../cli/exit-codes";

/**
 * `work`, or INTERRUPTED when Ctrl-C comes first. Following a log only reads, so there is nothing
 * to undo: the command returns 130 and bin.ts exits without a message (the socket goes with it).
 */
export async function untilInterrupted<T>(work: Promise<T>): Promise<T | typeof ExitCode.INTERRUPTED> {
  let onSignal: (() => void) | undefined;
  const interrupted = new Promise<typeof ExitCode.INTERRUPTED>((resolve) => {
    onSignal = () => resolve(ExitCode.INTERRUPTED);
    process.once("SIGINT", onSignal);
  });
  try {
    return await Promise.race([work, interrupted]);
  } finally {
    process.off("SIGINT", onSignal!);
  }
}
