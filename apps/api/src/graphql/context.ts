import type { Principal } from "../auth/principal";
import type { Services } from "../services";
import type { Loaders } from "./loaders";

export interface GraphQLContext {
  /** Always set: anonymous requests are refused before any resolver runs. */
  principal: Principal;
  services: Services;
  loaders: Loaders;
}
