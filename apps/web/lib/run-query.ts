import type { SearchParams } from "./leaderboard-query";
import { EXPERIMENT_KINDS, type ExperimentFilter, RUN_STATUSES, type RunFilter, type RunStatusName } from "./run-operations";

export type { SearchParams };

/** The first value of a query parameter, undefined when absent or empty. */
export function single(params: SearchParams, name: string): string | undefined {
  const value = params[name];
  const first = Array.isArray(value) ? value[0] : value;
  const trimmed = first?.trim();
  return trimmed ? trimmed : undefined;
}

/** Every value of a repeated parameter (`run=a&run=b`), without empties or repeats. */
export function every(params: SearchParams, name: string): string[] {
  const value = params[name];
  const values = Array.isArray(value) ? value : value === undefined ? [] : [value];
  return [...new Set(values.map((one) => one.trim()).filter(Boolean))];
}

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
