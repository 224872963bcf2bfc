import type { NonEmptyArray } from "type-graphql";
import { AliasEventResolver, AliasResolver } from "../modules/alias/alias.resolver";
import { ApiTokenResolver } from "../modules/api-token/api-token.resolver";
import { BlobResolver } from "../modules/blob/blob.resolver";
import { DatasetResolver } from "../modules/dataset/dataset.resolver";
import { EvaluationProtocolResolver, EvaluationResolver } from "../modules/evaluation/evaluation.resolver";
import { LeaderboardResolver } from "../modules/evaluation/leaderboard.resolver";
import { LineageEdgeResolver, ModelVersionResolver } from "../modules/model-version/model-version.resolver";
import { ModelResolver } from "../modules/model/model.resolver";
import { ExperimentResolver } from "../modules/experiment/experiment.resolver";
import { JobResolver, RunResolver } from "../modules/run/run.resolver";
import { JobLeaseResolver } from "../modules/runner/job-lease.resolver";
import { RunnerResolver } from "../modules/runner/runner.resolver";

export const resolvers: NonEmptyArray<Function> = [
  ApiTokenResolver,
  BlobResolver,
  ModelResolver,
  ModelVersionResolver,
  LineageEdgeResolver,
  AliasResolver,
  AliasEventResolver,
  DatasetResolver,
  ExperimentResolver,
  RunResolver,
  JobResolver,
  RunnerResolver,
  JobLeaseResolver,
  EvaluationResolver,
  EvaluationProtocolResolver,
  LeaderboardResolver,
];
