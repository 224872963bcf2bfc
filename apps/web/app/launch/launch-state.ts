import type { FieldMessage, FormEntries } from "../../lib/spec-form/form-data";

/** What a refused launch sends back: the entries to show again and what is wrong with them. */
export interface LaunchState {
  /** Counts the answers: the form is remounted with each one, showing what was submitted. */
  attempt: number;
  entries: FormEntries | null;
  /** On the inputs they are about (path and id), and in the summary. */
  messages: FieldMessage[];
  /** Not about an input: the API's refusal (CODE: message), a missing scope, a JSON syntax error. */
  error: string | null;
}

export const INITIAL_LAUNCH_STATE: LaunchState = { attempt: 0, entries: null, messages: [], error: null };

export const WRITE_NEEDED = "Launching needs the WRITE scope: sign in with a token that has WRITE (or ADMIN).";
