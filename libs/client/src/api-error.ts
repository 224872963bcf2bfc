/**
 * The two ways a call to the API fails, and the questions the runner asks about them. Every
 * retry decision in the runner goes through these predicates, so they live in one place.
 */

/** The API answered with a GraphQL error: `code` is extensions.code, `reason` extensions.reason. */
export class ApiError extends Error {
  override readonly name = "ApiError";

  constructor(
    message: string,
    readonly code: string,
    readonly reason: string,
    readonly details: Record<string, unknown>,
    readonly status: number,
    /** The API's own words, without the operation's name `message` starts with. */
    readonly apiMessage: string = message,
  ) {
    super(message);
  }

  /** `REASON: what the API said`: how a person is shown the refusal (web UI alerts, CLI errors). */
  describe(): string {
    return `${this.reason}: ${this.apiMessage}`;
  }
}

/** No usable answer: connection refused or reset, a timeout, a 5xx from a proxy. Worth retrying. */
export class ApiUnreachableError extends Error {
  override readonly name = "ApiUnreachableError";
}

export function isUnreachable(error: unknown): error is ApiUnreachableError {
  return error instanceof ApiUnreachableError;
}

/** The job is no longer ours: re-leased, cancelled and reaped, or gone. Stop without reporting. */
export function isLeaseLost(error: unknown): boolean {
  return error instanceof ApiError && (error.reason === "LEASE_LOST" || error.reason === "JOB_NOT_FOUND");
}

/** The token is wrong, revoked, or lacks the RUNNER scope: nothing this process can fix. */
export function isAuthError(error: unknown): boolean {
  return error instanceof ApiError && (error.code === "UNAUTHENTICATED" || error.code === "FORBIDDEN");
}

/** A server-side failure that may pass (a database hiccup), unlike a rejected request. */
export function isServerError(error: unknown): boolean {
  return error instanceof ApiError && error.code === "INTERNAL_SERVER_ERROR";
}

/** LOG_OFFSET_GAP carries the offset the server expected next; undefined for any other error. */
export function expectedLogOffset(error: unknown): number | undefined {
  if (!(error instanceof ApiError) || error.reason !== "LOG_OFFSET_GAP") return undefined;
  const expected = error.details.expectedOffset;
  return typeof expected === "number" && Number.isSafeInteger(expected) && expected >= 0 ? expected : undefined;
}
