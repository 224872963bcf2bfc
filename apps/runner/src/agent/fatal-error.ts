/** Exit status for a token the API refuses: a script can tell it from a failed job. */
export const EXIT_AUTH = 3;

/** Ends the runner with a one-line message and this exit status. */
export class FatalError extends Error {
  override readonly name = "FatalError";

  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
  }
}
