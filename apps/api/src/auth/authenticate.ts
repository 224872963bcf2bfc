import { DomainError, hasScope, type Scope } from "@distillery/domain";
import type { ApiTokenService } from "../modules/api-token/api-token.service";
import { bearerTokenOf } from "./bearer";
import type { Principal } from "./principal";

/** The principal behind an Authorization header; anonymous callers are refused. */
export async function authenticate(tokens: ApiTokenService, authorization: string | string[] | undefined): Promise<Principal> {
  const token = bearerTokenOf(authorization);
  if (!token) throw new DomainError("UNAUTHENTICATED", "Send Authorization: Bearer <token>");
  return tokens.authenticate(token);
}

/** Passes when the principal holds any one of `scopes`. */
export function requireScope(principal: Principal, ...scopes: Scope[]): void {
  if (!hasScope(principal.scopes, scopes)) {
    throw new DomainError("FORBIDDEN", `This needs the ${scopes.join(" or ")} scope; the token has ${principal.scopes.join(", ")}`, { required: scopes });
  }
}
