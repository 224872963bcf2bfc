import type { BlobStore } from "@distillery/blobstore";
import type { Database } from "./db/database";
import type { EventBus } from "./graphql/event-bus";
import { AliasService } from "./modules/alias/alias.service";
import { ApiTokenService } from "./modules/api-token/api-token.service";
import { BlobService } from "./modules/blob/blob.service";
import { DatasetService } from "./modules/dataset/dataset.service";
import { EvaluationService } from "./modules/evaluation/evaluation.service";
import { LeaderboardService } from "./modules/evaluation/leaderboard.service";
import { ExperimentService } from "./modules/experiment/experiment.service";
import { MetricService } from "./modules/metric/metric.service";
import { RunLogReader } from "./modules/metric/run-log";
import { RunLogFollower } from "./modules/metric/run-log-follower";
import { ModelVersionService } from "./modules/model-version/model-version.service";
import { ModelService } from "./modules/model/model.service";
import type { JobEntity } from "./modules/run/job.entity";
import type { RetryPolicy } from "./modules/run/job-queue";
import { JobSignal } from "./modules/run/job-signal";
import { RunService } from "./modules/run/run.service";
import { JobArtifactService } from "./modules/runner/job-artifact.service";
import { JobLeaseService } from "./modules/runner/job-lease.service";
import { RunnerService } from "./modules/runner/runner.service";
import { waitingReasonOf } from "./modules/runner/waiting-reason";

export interface QueueSettings extends RetryPolicy {
  /** A runner not seen for this long is offline. */
  runnerOnlineSeconds: number;
}

export interface Services {
  db: Database;
  blobStore: BlobStore;
  events: EventBus;
  jobSignal: JobSignal;
  leaseSeconds: number;
  tokens: ApiTokenService;
  blobs: BlobService;
  models: ModelService;
  versions: ModelVersionService;
  aliases: AliasService;
  datasets: DatasetService;
  experiments: ExperimentService;
  runs: RunService;
  runners: RunnerService;
  jobLeases: JobLeaseService;
  jobArtifacts: JobArtifactService;
  metrics: MetricService;
  evaluations: EvaluationService;
  leaderboard: LeaderboardService;
  runLogs: RunLogReader;
  runLogFollower: RunLogFollower;
  waitingReason(job: JobEntity): Promise<string | null>;
}

export function createServices(db: Database, blobStore: BlobStore, events: EventBus, queue: QueueSettings): Services {
  const jobSignal = new JobSignal();
  const runners = new RunnerService(db, queue.runnerOnlineSeconds);
  const runLogs = new RunLogReader(db);
  return {
    db,
    blobStore,
    events,
    jobSignal,
    leaseSeconds: queue.leaseSeconds,
    tokens: new ApiTokenService(db),
    blobs: new BlobService(db),
    models: new ModelService(db),
    versions: new ModelVersionService(db),
    aliases: new AliasService(db, events),
    datasets: new DatasetService(db),
    experiments: new ExperimentService(db),
    runs: new RunService(db, events, jobSignal),
    runners,
    jobLeases: new JobLeaseService(db, events, jobSignal, runners, queue),
    jobArtifacts: new JobArtifactService(db),
    metrics: new MetricService(db),
    evaluations: new EvaluationService(db),
    leaderboard: new LeaderboardService(db),
    runLogs,
    runLogFollower: new RunLogFollower(db, events, runLogs),
    waitingReason: (job) => waitingReasonOf(db, job, queue.runnerOnlineSeconds),
  };
}
