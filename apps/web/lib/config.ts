/** The API's base URL: read on the server only, never sent to the browser. */
export function apiUrl(): string {
  return process.env.DISTILLERY_API ?? "http://127.0.0.1:4000";
}

export const TOKEN_COOKIE = "distillery_token";
