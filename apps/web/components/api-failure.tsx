import { ApiError } from "@distillery/client";

/** An API error on a page, as `CODE: message`; anything that is not an ApiError is thrown on. */
export function ApiFailure({ error }: { error: unknown }) {
  if (!(error instanceof ApiError)) throw error;
  return (
    <p role="alert" className="error">
      {error.describe()}
    </p>
  );
}
