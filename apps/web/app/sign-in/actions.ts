"use server";

import { ApiError, ApiUnreachableError } from "@distillery/client";
import { cookies, headers } from "next/headers";
import { redirect } from "next/navigation";
import { clientFor } from "../../lib/api";
import { TOKEN_COOKIE } from "../../lib/config";
import { ME } from "../../lib/operations";

export interface SignInState {
  error: string | null;
}

/** Checks the token with the API; keeps it in an httpOnly cookie only when the API accepts it. */
export async function signIn(_previous: SignInState, form: FormData): Promise<SignInState> {
  const token = String(form.get("token") ?? "").trim();
  if (token === "") return { error: "Enter an API token." };
  try {
    await clientFor(token).request(ME, {});
  } catch (error) {
    if (error instanceof ApiError) return { error: error.describe() };
    if (error instanceof ApiUnreachableError) return { error: `The API cannot be reached: ${error.message}` };
    throw error;
  }
  const secure = (await headers()).get("x-forwarded-proto") === "https";
  (await cookies()).set(TOKEN_COOKIE, token, { httpOnly: true, sameSite: "lax", secure, path: "/" });
  redirect("/leaderboard");
}
