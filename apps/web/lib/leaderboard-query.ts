import type { LeaderboardVariables } from "@distillery/client";
import { ModelRole, Precision } from "@distillery/domain";
import { type SearchParams, single } from "./search-params";
import { ORDERS, type Order } from "./operations";

/** What the leaderboard page's URL asks for. */
export interface LeaderboardQuery {
  protocol: string | undefined;
  filter: LeaderboardVariables["filter"];
  orderBy: Order;
  descending: boolean;
  pareto: boolean;
  after: string | null;
}

const ROLES: string[] = Object.values(ModelRole);
const PRECISIONS: string[] = Object.values(Precision);

export function parseLeaderboardQuery(params: SearchParams): LeaderboardQuery {
  const role = single(params, "role");
  const precision = single(params, "precision");
  const family = single(params, "family")?.trim();
  const orderBy = single(params, "orderBy");
  return {
    protocol: single(params, "protocol"),
    filter: {
      ...(role && ROLES.includes(role) ? { role } : {}),
      ...(precision && PRECISIONS.includes(precision) ? { precision } : {}),
      ...(family ? { family } : {}),
    },
    orderBy: ORDERS.includes(orderBy as Order) ? (orderBy as Order) : "FID",
    descending: single(params, "desc") === "1",
    pareto: single(params, "pareto") === "1",
    after: single(params, "after") ?? null,
  };
}

/** The page's URL for `query`, with defaults left out. */
export function leaderboardHref(query: LeaderboardQuery): string {
  const params = new URLSearchParams();
  if (query.protocol) params.set("protocol", query.protocol);
  for (const [key, value] of Object.entries(query.filter)) if (value) params.set(key, value);
  if (query.orderBy !== "FID") params.set("orderBy", query.orderBy);
  if (query.descending) params.set("desc", "1");
  if (query.pareto) params.set("pareto", "1");
  if (query.after) params.set("after", query.after);
  const search = params.toString();
  return search ? `/leaderboard?${search}` : "/leaderboard";
}

export { ROLES, PRECISIONS };
