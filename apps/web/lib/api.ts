import { GraphQLClient } from "@distillery/client";
import { cookies } from "next/headers";
import { apiUrl, TOKEN_COOKIE } from "./config";

/** A client for one token; the API's URL comes from the server's environment. */
export function clientFor(token: string): GraphQLClient {
  return new GraphQLClient(apiUrl(), token, 15_000);
}

/** The signed-in token of this request, if any. */
export async function tokenFromCookie(): Promise<string | undefined> {
  return (await cookies()).get(TOKEN_COOKIE)?.value || undefined;
}
