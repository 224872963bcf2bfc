import { ApiError } from "@distillery/client";

const MISSING = new Set(["MODEL_NOT_FOUND", "VERSION_NOT_FOUND", "INVALID_REF", "INVALID_NAME"]);

/** The API says the model or version in the URL does not exist (or cannot: a malformed name). */
export function isMissing(error: unknown): boolean {
  return error instanceof ApiError && MISSING.has(error.reason);
}
