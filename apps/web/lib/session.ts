import { ApiError, type GraphQLClient } from "@distillery/client";
import { hasScope, Scope } from "@distillery/domain";
import { redirect } from "next/navigation";
import { clientFor, tokenFromCookie } from "./api";
import { ME, type Me } from "./operations";

export interface Session {
  me: Me;
  client: GraphQLClient;
  /**
   * The token may change things (WRITE, or ADMIN which implies it): pages show write buttons only
   * then. The API checks the scope again on every mutation, so hiding them is a courtesy.
   */
  canWrite: boolean;
}

/**
 * The page's session: without a token, or with one the API refuses (unknown, revoked, expired),
 * the visitor signs in again. Any other failure (the API down, an internal error) is shown as an
 * error, not mistaken for a signed-out visitor.
 */
export async function requireSession(): Promise<Session> {
  const token = await tokenFromCookie();
  if (!token) redirect("/sign-in");
  const client = clientFor(token);
  let me: Me;
  try {
    me = (await client.request(ME, {})).me;
  } catch (error) {
    if (error instanceof ApiError && error.code === "UNAUTHENTICATED") redirect(`/sign-in/refused?reason=${encodeURIComponent(error.reason)}`);
    throw error;
  }
  return { me, client, canWrite: hasScope(me.scopes as Scope[], [Scope.WRITE]) };
}
