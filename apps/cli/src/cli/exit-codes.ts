import { ApiError, ApiUnreachableError } from "@distillery/client";

/**
 * What `distillery` exits with. Scripts branch on these, so they are part of the interface:
 * documented in `distillery help` and docs/ci.md, and never renumbered.
 */
export const ExitCode = {
  OK: 0,
  /** The command ran and failed: the API refused it, a job failed, a file could not be written. */
  FAILED: 1,
  /** Arguments that make no sense; nothing was sent. */
  USAGE: 2,
  /** No token, a token the API does not accept, or one without the scope the command needs. */
  AUTH: 3,
  /** An unknown model, version, alias, run, protocol or blob; a named file that does not exist. */
  NOT_FOUND: 4,
  /** Bytes that do not hash to the digest they were registered with; nothing was written. */
  INTEGRITY: 5,
  /** `--frozen`: the lockfile no longer matches what the ref resolves to (an alias moved). */
  LOCKFILE_MISMATCH: 6,
  /** The API could not be reached (refused, timed out, a proxy's 5xx). */
  UNREACHABLE: 7,
  /** Ctrl-C. */
  INTERRUPTED: 130,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/** A failure the command has already put into words, with the exit status it means. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: ExitCode,
  ) {
    super(message);
  }
}

/** Arguments that make no sense: exit status 2, with the usage hint. */
export class UsageError extends CliError {
  constructor(message: string) {
    super(message, ExitCode.USAGE);
  }
}

/** The exit status an error means. */
export function exitCodeFor(error: unknown): ExitCode {
  if (error instanceof CliError) return error.exitCode;
  if (error instanceof ApiUnreachableError) return ExitCode.UNREACHABLE;
  if (error instanceof ApiError) {
    if (error.code === "UNAUTHENTICATED" || error.code === "FORBIDDEN") return ExitCode.AUTH;
    if (error.code === "NOT_FOUND") return ExitCode.NOT_FOUND;
    return ExitCode.FAILED;
  }
  const exitCode = (error as { exitCode?: unknown } | null)?.exitCode;
  if (typeof exitCode === "number" && (Object.values(ExitCode) as number[]).includes(exitCode)) return exitCode as ExitCode;
  return ExitCode.FAILED;
}

/**
 * One line for the error, the API's reason first (MODEL_NOT_FOUND: …) so a CI log says what to
 * fix. The GraphQL client prefixes messages with the operation's name; a user never typed that.
 */
export function describeFailure(error: unknown): string {
  if (error instanceof ApiError) return `${error.reason}: ${withoutOperationName(error.message)}`;
  if (error instanceof ApiUnreachableError) return withoutOperationName(error.message);
  const code = (error as { code?: unknown } | null)?.code;
  const message = error instanceof Error ? error.message : String(error);
  return typeof code === "string" && /^[A-Z][A-Z_]+$/.test(code) ? `${code}: ${message}` : message;
}

function withoutOperationName(message: string): string {
  return message.replace(/^[A-Z][A-Za-z]+: /, "");
}
