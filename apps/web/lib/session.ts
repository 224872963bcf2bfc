import { ApiError } from "@distillery/client";
import { redirect } from "next/navigation";
import { clientFor, tokenFromCookie } from "./api";
import { ME, type Me } from "./operations";
import type { GraphQLClient } from "@distillery/client";

export interface Session {
  me: Me;
  client: GraphQLClient;
}

/** The page's session: without a token, or with one the API refuses, the visitor signs in again. */
export async function requireSession(): Promise<Session> {
  const token = await tokenFromCookie();
  if (!token) redirect("/sign-in");
  const client = clientFor(token);
  let me: Me;
  try {
    me = (await client.request(ME, {})).me;
  } catch (error) {
    if (error instanceof ApiError) redirect("/sign-in");
    throw error;
  }
  return { me, client };
}
