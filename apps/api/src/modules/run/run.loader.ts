import DataLoader from "dataloader";
import { byKey, groupedByKey } from "../../graphql/group-by";
import type { ExperimentEntity } from "../experiment/experiment.entity";
import type { ExperimentService } from "../experiment/experiment.service";
import type { MetricService } from "../metric/metric.service";
import type { RunnerService } from "../runner/runner.service";
import type { RunnerType } from "../runner/runner.type";
import type { JobEntity } from "./job.entity";
import type { RunEntity } from "./run.entity";
import type { RunService } from "./run.service";

export function createRunLoaders(runs: RunService, experiments: ExperimentService, runners: RunnerService, metrics: MetricService) {
  return {
    runById: new DataLoader<string, RunEntity | undefined>(async (ids) => byKey(ids, await runs.byIds(ids), (row) => row.id)),
    jobByRunId: new DataLoader<string, JobEntity | undefined>(async (ids) => byKey(ids, await runs.jobsByRunIds(ids), (row) => row.runId)),
    experimentById: new DataLoader<string, ExperimentEntity | undefined>(async (ids) =>
      byKey(ids, await experiments.byIds(ids), (row) => row.id),
    ),
    runnerById: new DataLoader<string, RunnerType | undefined>(async (ids) => byKey(ids, await runners.byIds(ids), (row) => row.id)),
    latestMetricsByRunId: new DataLoader(async (ids: readonly string[]) =>
      groupedByKey(ids, await metrics.latestByRunIds(ids), (row) => row.runId),
    ),
  };
}
