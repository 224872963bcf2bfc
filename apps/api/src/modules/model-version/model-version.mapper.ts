import { formatDigest, fromDbEnum, LineageRelation, ModelFormat, Precision, VersionStatus } from "@distillery/domain";
import type { LineageEntity } from "./lineage.entity";
import type { ModelVersionEntity } from "./model-version.entity";
import type { LineageEdgeType, ModelVersionType } from "./model-version.type";

export function toModelVersionType(entity: ModelVersionEntity): ModelVersionType {
  return {
    id: entity.id,
    modelId: entity.modelId,
    producedByRunId: entity.producedByRun,
    version: entity.version,
    status: fromDbEnum(VersionStatus, entity.status),
    format: fromDbEnum(ModelFormat, entity.format),
    precision: fromDbEnum(Precision, entity.precision),
    digest: formatDigest(entity.blobDigest),
    sizeBytes: entity.sizeBytes,
    params: entity.params,
    metadata: entity.metadata,
    createdBy: entity.createdBy,
    createdAt: entity.createdAt,
  };
}

/** `side` says which end of the edge the caller wants to reach. */
export function toLineageEdgeType(edge: LineageEntity, side: "parent" | "child"): LineageEdgeType {
  return {
    relation: fromDbEnum(LineageRelation, edge.relation),
    recipe: edge.recipe,
    versionId: side === "parent" ? edge.parentId : edge.childId,
  };
}
