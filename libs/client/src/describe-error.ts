/** One line for an error, with the network cause fetch hides in `cause` (ECONNREFUSED, …). */
export function describeError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause instanceof Error ? error.cause : undefined;
  const causeCode = cause && "code" in cause && typeof cause.code === "string" ? cause.code : undefined;
  return cause ? `${error.message} (${causeCode ?? cause.message})` : error.message;
}
