import { DatasetFormat, formatDigest, formatRef, fromDbEnum } from "@distillery/domain";
import type { DatasetEntity } from "./dataset.entity";
import type { DatasetType } from "./dataset.type";

export function toDatasetType(entity: DatasetEntity): DatasetType {
  return {
    id: entity.id,
    name: entity.name,
    version: entity.version,
    ref: formatRef(entity.name, entity.version),
    digest: formatDigest(entity.blobDigest),
    sizeBytes: entity.sizeBytes,
    format: fromDbEnum(DatasetFormat, entity.format),
    sampleCount: entity.sampleCount,
    imageShape: entity.imageShape,
    classNames: entity.classNames,
    description: entity.description,
    createdBy: entity.createdBy,
    createdAt: entity.createdAt,
  };
}
