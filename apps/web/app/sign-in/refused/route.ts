import { cookies } from "next/headers";
import { type NextRequest, NextResponse } from "next/server";
import { TOKEN_COOKIE } from "../../../lib/config";

/**
 * Where a page sends a visitor whose token the API refused (revoked, expired, unknown): server
 * components cannot delete cookies, a route handler can. The reason travels on to the sign-in page.
 */
export async function GET(request: NextRequest): Promise<NextResponse> {
  (await cookies()).delete(TOKEN_COOKIE);
  const reason = request.nextUrl.searchParams.get("reason") ?? "";
  const target = new URL("/sign-in", request.nextUrl);
  if (/^[A-Z_]{1,64}$/.test(reason)) target.searchParams.set("refused", reason);
  return NextResponse.redirect(target, 303);
}
