import { AliasEventEntity } from "../modules/alias/alias-event.entity";
import { AliasEntity } from "../modules/alias/alias.entity";
import { ApiTokenEntity } from "../modules/api-token/api-token.entity";
import { BlobEntity } from "../modules/blob/blob.entity";
import { DatasetEntity } from "../modules/dataset/dataset.entity";
import { EvaluationProtocolEntity } from "../modules/evaluation/evaluation-protocol.entity";
import { EvaluationEntity } from "../modules/evaluation/evaluation.entity";
import { ModelEntity } from "../modules/model/model.entity";
import { LineageEntity } from "../modules/model-version/lineage.entity";
import { ModelVersionEntity } from "../modules/model-version/model-version.entity";
import { ExperimentEntity } from "../modules/experiment/experiment.entity";
import { JobEntity } from "../modules/run/job.entity";
import { RunEntity } from "../modules/run/run.entity";
import { RunnerEntity } from "../modules/runner/runner.entity";

export const entities = [
  BlobEntity,
  ApiTokenEntity,
  ModelEntity,
  ModelVersionEntity,
  LineageEntity,
  AliasEntity,
  AliasEventEntity,
  DatasetEntity,
  ExperimentEntity,
  RunnerEntity,
  RunEntity,
  JobEntity,
  EvaluationProtocolEntity,
  EvaluationEntity,
];
