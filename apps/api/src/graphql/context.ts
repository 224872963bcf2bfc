import type { Principal } from "../auth/principal";
import type { Services } from "../services";
import type { Loaders } from "./loaders";

export interface GraphQLContext {
  /** Always set: anonymous requests are refused before any resolver runs. */
  principal: Principal;
  services: Services;
  loaders: Loaders;
  /** Aborted when the HTTP client goes away before its answer is sent (long-polls stop then). */
  abortSignal: AbortSignal | undefined;
  /**
   * Replaces `loaders` with empty ones. A subscription keeps one context for all its events;
   * its resolver calls this per event so no event is answered from an earlier event's cache.
   */
  renewLoaders(): void;
}
