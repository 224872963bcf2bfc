import type { Principal } from "../auth/principal";
import type { Services } from "../services";
import type { Loaders } from "./loaders";

export interface GraphQLContext {
  /** Always set: anonymous requests are refused before any resolver runs. */
  principal: Principal;
  services: Services;
  loaders: Loaders;
  /**
   * Replaces `loaders` with empty ones. A subscription keeps one context for all its events;
   * its resolver calls this per event so no event is answered from an earlier event's cache.
   */
  renewLoaders(): void;
}
