import { ModelRole } from "@distillery/domain";
import type { ModelsVariables } from "./model-operations";
import { type SearchParams, single } from "./search-params";

export const MODEL_ROLES: string[] = Object.values(ModelRole);

/** What /models's URL asks for: ?role=STUDENT&name=sd&after=<cursor>. */
export interface ModelsQuery {
  role: string | undefined;
  name: string | undefined;
  after: string | null;
}

export function parseModelsQuery(params: SearchParams): ModelsQuery {
  const role = single(params, "role");
  return { role: role && MODEL_ROLES.includes(role) ? role : undefined, name: single(params, "name"), after: single(params, "after") ?? null };
}

export function modelsFilter(query: ModelsQuery): ModelsVariables["filter"] {
  return { ...(query.role ? { role: query.role } : {}), ...(query.name ? { nameContains: query.name } : {}) };
}

export function modelsHref(query: ModelsQuery): string {
  const params = new URLSearchParams();
  if (query.role) params.set("role", query.role);
  if (query.name) params.set("name", query.name);
  if (query.after) params.set("after", query.after);
  const search = params.toString();
  return search ? `/models?${search}` : "/models";
}
