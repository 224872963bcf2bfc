import { type SearchParams, single } from "./search-params";
import { EXPERIMENT_KINDS, type ExperimentFilter, RUN_STATUSES, type RunFilter, type RunStatusName } from "./run-operations";

function href(path: string, entries: Record<string, string | undefined | null>): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(entries)) if (value) params.set(name, value);
  const search = params.toString();
  return search ? `${path}?${search}` : path;
}

export interface ExperimentsQuery {
  filter: ExperimentFilter;
  after: string | null;
}

export function parseExperimentsQuery(params: SearchParams): ExperimentsQuery {
  const kind = single(params, "kind");
  const nameContains = single(params, "name");
  const tag = single(params, "tag");
  return {
    filter: {
      ...(kind && (EXPERIMENT_KINDS as readonly string[]).includes(kind) ? { kind } : {}),
      ...(nameContains ? { nameContains } : {}),
      ...(tag ? { tag } : {}),
    },
    after: single(params, "after") ?? null,
  };
}

export function experimentsHref(query: ExperimentsQuery): string {
  return href("/experiments", { kind: query.filter.kind, name: query.filter.nameContains, tag: query.filter.tag, after: query.after });
}

export interface RunsQuery {
  filter: RunFilter;
  after: string | null;
}

export function parseRunsQuery(params: SearchParams): RunsQuery {
  const status = single(params, "status");
  const experiment = single(params, "experiment");
  return {
    filter: {
      ...(status && (RUN_STATUSES as readonly string[]).includes(status) ? { status: status as RunStatusName } : {}),
      ...(experiment ? { experiment } : {}),
    },
    after: single(params, "after") ?? null,
  };
}

export function runsHref(query: RunsQuery): string {
  return href("/runs", { status: query.filter.status, experiment: query.filter.experiment, after: query.after });
}

export function compareHref(runIds: string[]): string {
  const params = new URLSearchParams();
  for (const id of runIds) params.append("run", id);
  return `/compare?${params.toString()}`;
}
