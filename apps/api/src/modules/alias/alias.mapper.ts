import type { AliasEventEntity } from "./alias-event.entity";
import type { AliasEntity } from "./alias.entity";
import type { AliasEventType, AliasType } from "./alias.type";

export function toAliasType(entity: AliasEntity): AliasType {
  return { name: entity.name, updatedAt: entity.updatedAt, modelId: entity.modelId, versionId: entity.versionId };
}

export function toAliasEventType(entity: AliasEventEntity): AliasEventType {
  return {
    alias: entity.alias,
    actor: entity.actor,
    at: entity.at,
    modelId: entity.modelId,
    fromVersionId: entity.fromVersionId,
    toVersionId: entity.toVersionId,
  };
}
