import { ExperimentKind, fromDbEnum } from "@distillery/domain";
import type { ExperimentEntity } from "./experiment.entity";
import type { ExperimentType } from "./experiment.type";

export function toExperimentType(entity: ExperimentEntity): ExperimentType {
  return {
    id: entity.id,
    name: entity.name,
    kind: fromDbEnum(ExperimentKind, entity.kind),
    spec: entity.spec,
    tags: entity.tags,
    createdBy: entity.createdBy,
    createdAt: entity.createdAt,
  };
}
