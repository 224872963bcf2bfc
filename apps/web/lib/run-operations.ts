import { defineOperation, RUN_SUMMARY_FIELDS, type RunSummary } from "@distillery/client";
import type { LiveRun, SeriesPoints } from "./run-events";

export { isFinished } from "./run-events";

export const RUN_STATUSES = ["QUEUED", "RUNNING", "SUCCEEDED", "FAILED", "CANCELLED"] as const;
export type RunStatusName = (typeof RUN_STATUSES)[number];
export const EXPERIMENT_KINDS = ["COMMAND", "PRETRAIN", "DISTILL", "EXTRACTOR", "QUANTIZE", "EVALUATE"] as const;

interface PageInfo {
  endCursor: string | null;
  hasNextPage: boolean;
}

export interface Connection<T> {
  totalCount: number;
  pageInfo: PageInfo;
  edges: Array<{ node: T }>;
}

const PAGE = "totalCount pageInfo { endCursor hasNextPage }";

export interface RunnerSummary {
  name: string;
  device: { kind: string; name: string };
}

/** A run as the run tables show it: the CLI's columns, and who holds it. */
export interface RunRow extends RunSummary {
  status: RunStatusName;
  job: { maxAttempts: number; runner: RunnerSummary | null };
}

const RUN_ROW = `${RUN_SUMMARY_FIELDS} job { maxAttempts runner { name device { kind name } } }`;

export interface RunFilter {
  status?: RunStatusName;
  experiment?: string;
}

export const RUNS = defineOperation<{ runs: Connection<RunRow> }, { first: number; after: string | null; filter: RunFilter }>(
  "Runs",
  `query Runs($first: Int!, $after: String, $filter: RunFilter) { runs(first: $first, after: $after, filter: $filter) { ${PAGE} edges { node { ${RUN_ROW} } } } }`,
);

export interface ExperimentRow {
  id: string;
  name: string;
  kind: string;
  tags: string[];
  createdBy: string;
  createdAt: string;
  runs: { totalCount: number };
}

export interface ExperimentFilter {
  kind?: string;
  nameContains?: string;
  tag?: string;
}

export const EXPERIMENTS = defineOperation<{ experiments: Connection<ExperimentRow> }, { first: number; after: string | null; filter: ExperimentFilter }>(
  "Experiments",
  `query Experiments($first: Int!, $after: String, $filter: ExperimentFilter) {
    experiments(first: $first, after: $after, filter: $filter) { ${PAGE} edges { node { id name kind tags createdBy createdAt runs(first: 1) { totalCount } } } }
  }`,
);

/** The newest experiments, for the runs page's experiment filter. */
export const EXPERIMENT_CHOICES = defineOperation<{ experiments: Connection<{ id: string; name: string }> }, Record<string, never>>(
  "ExperimentChoices",
  `query ExperimentChoices { experiments(first: 100) { ${PAGE} edges { node { id name } } } }`,
);

export interface ExperimentDetail extends Omit<ExperimentRow, "runs"> {
  spec: Record<string, unknown>;
  runs: Connection<RunRow>;
}

export const EXPERIMENT = defineOperation<{ experiment: ExperimentDetail }, { id: string; first: number; after: string | null }>(
  "Experiment",
  `query Experiment($id: ID!, $first: Int!, $after: String) {
    experiment(id: $id) { id name kind tags createdBy createdAt spec runs(first: $first, after: $after) { ${PAGE} edges { node { ${RUN_ROW} } } } }
  }`,
);

export interface LogSlice {
  offset: number;
  text: string;
  nextOffset: number;
  totalBytes: number;
}

export interface RunDetail extends RunRow {
  createdBy: string;
  waitingReason: string | null;
  requirements: { capabilities: string[]; device: string; labels: string[]; minMemoryGb: number };
  result: Record<string, unknown> | null;
  retryOf: { id: string; number: number } | null;
  job: RunRow["job"] & { state: string; cancelRequested: boolean; error: string | null; failureKind: string | null; priority: number };
  metrics: SeriesPoints[];
  logs: LogSlice;
}

export const RUN = defineOperation<{ run: RunDetail }, { id: string; logLimit: number }>(
  "Run",
  `query Run($id: ID!, $logLimit: Int!) {
    run(id: $id) {
      ${RUN_ROW} createdBy waitingReason result retryOf { id number }
      requirements { capabilities device labels minMemoryGb }
      job { state cancelRequested error failureKind priority maxAttempts runner { name device { kind name } } }
      metrics(maxPoints: 1000) { key points { step value } }
      logs(offset: 0, limit: $logLimit) { offset text nextOffset totalBytes }
    }
  }`,
);

export const RUN_LOG = defineOperation<{ run: { logs: LogSlice } }, { id: string; offset: number; limit: number }>(
  "RunLog",
  `query RunLog($id: ID!, $offset: SafeInt!, $limit: Int!) { run(id: $id) { logs(offset: $offset, limit: $limit) { offset text nextOffset totalBytes } } }`,
);

/** The fields of a run that change while it runs: what the live page follows. */
export const LIVE_RUN_FIELDS = "id status progress attempt startedAt finishedAt job { state maxAttempts cancelRequested }";
export type { LiveRun };

export interface ComparedRun {
  id: string;
  number: number;
  status: RunStatusName;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  experiment: { id: string; name: string };
  summary: Record<string, number>;
  metrics: SeriesPoints[];
}

export const COMPARED_RUN = defineOperation<{ run: ComparedRun }, { id: string }>(
  "ComparedRun",
  `query ComparedRun($id: ID!) {
    run(id: $id) { id number status createdAt startedAt finishedAt experiment { id name } summary metrics(maxPoints: 1000) { key points { step value } } }
  }`,
);

export const CANCEL_RUN = defineOperation<{ cancelRun: { id: string; status: RunStatusName } }, { id: string }>(
  "CancelRun",
  `mutation CancelRun($id: ID!) { cancelRun(id: $id) { id status } }`,
);

export const RETRY_RUN = defineOperation<{ retryRun: { id: string; number: number } }, { id: string }>(
  "RetryRun",
  `mutation RetryRun($id: ID!) { retryRun(id: $id) { id number } }`,
);

export const LAUNCH_EXPERIMENT = defineOperation<{ launchExperiment: { id: string; number: number } }, { experiment: string }>(
  "LaunchExperiment",
  `mutation LaunchExperiment($experiment: ID!) { launchExperiment(input: { experiment: $experiment }) { id number } }`,
);
