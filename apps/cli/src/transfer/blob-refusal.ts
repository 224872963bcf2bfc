import { ApiError, ApiUnreachableError } from "@distillery/client";
import type { Answer } from "./single-buffer-get";

/** An error answer is a small JSON object; the rest of a long one is not kept. */
const MAX_ERROR_BODY_BYTES = 64 * 1024;

/**
 * A blob route's non-2xx answer, sorted as the API clients sort it: 5xx, 408 and 429 may pass
 * (exit status 7); anything else is the API's refusal with its code and reason
 * ({error: {code, reason, message}}), so a bad token exits 3 and a missing blob 4.
 */
export async function blobRefusal(answer: Answer): Promise<Error> {
  const { status } = answer;
  if (status >= 500 || status === 429 || status === 408) {
    answer.discard();
    return new ApiUnreachableError(`the blob download answered HTTP ${status}`);
  }
  const parts: Buffer[] = [];
  let length = 0;
  await answer
    .body((chunk) => {
      if (length < MAX_ERROR_BODY_BYTES) parts.push(Buffer.from(chunk.subarray(0, MAX_ERROR_BODY_BYTES - length)));
      length += chunk.length;
    })
    .catch(() => undefined); // a cut-off error text still has its status
  let error: { code?: string; reason?: string; message?: string; details?: Record<string, unknown> } = {};
  try {
    error = (JSON.parse(Buffer.concat(parts).toString("utf8")) as { error?: typeof error }).error ?? {};
  } catch {
    // Not the API's JSON (a proxy's page): the status alone says what happened.
  }
  const code = error.code ?? (status === 401 ? "UNAUTHENTICATED" : status === 403 ? "FORBIDDEN" : status === 404 ? "NOT_FOUND" : "BAD_RESPONSE");
  return new ApiError(error.message ?? `the blob download answered HTTP ${status}`, code, error.reason ?? code, error.details ?? {}, status);
}
