import { fromDbEnum, ModelRole } from "@distillery/domain";
import type { ModelEntity } from "./model.entity";
import type { ModelType } from "./model.type";

export function toModelType(entity: ModelEntity): ModelType {
  return {
    id: entity.id,
    name: entity.name,
    role: fromDbEnum(ModelRole, entity.role),
    family: entity.family,
    description: entity.description,
    tags: entity.tags,
    createdBy: entity.createdBy,
    createdAt: entity.createdAt,
    updatedAt: entity.updatedAt,
  };
}
