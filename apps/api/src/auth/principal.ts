import type { Scope } from "@distillery/domain";

/** Who is calling: the token presented with the request. */
export interface Principal {
  tokenId: string;
  tokenName: string;
  /** Recorded as the actor of what this principal changes (created_by, alias history). */
  owner: string;
  scopes: Scope[];
}
