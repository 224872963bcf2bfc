import type { AuthChecker } from "type-graphql";
import { DomainError, hasScope, type Scope } from "@distillery/domain";
import type { GraphQLContext } from "./context";

/** Every root field carries @Authorized(<scope>); the auth-matrix test holds us to that. */
export const scopeAuthChecker: AuthChecker<GraphQLContext, Scope> = ({ context }, required) => {
  if (hasScope(context.principal.scopes, required)) return true;
  throw new DomainError("FORBIDDEN", `This needs the ${required.join(" or ")} scope; the token has ${context.principal.scopes.join(", ")}`, {
    required,
  });
};
