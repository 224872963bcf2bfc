import { ApiError, ApiUnreachableError } from "@distillery/client";

/** What a write button's server action answers when it does not redirect. */
export interface ActionState {
  error: string | null;
}

export const NO_ERROR: ActionState = { error: null };

/**
 * `CODE: message` for an API failure, as every write action shows it (the operation's name that
 * the client puts before the message left out). Anything else is a bug: thrown on.
 */
export function failureOf(error: unknown): ActionState {
  if (error instanceof ApiError) return { error: error.describe() };
  if (error instanceof ApiUnreachableError) return { error: `API_UNREACHABLE: ${error.message.replace(/^\w+: /, "")}` };
  throw error;
}
