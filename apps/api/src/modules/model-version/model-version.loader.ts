import DataLoader from "dataloader";
import { byKey, groupedByKey } from "../../graphql/group-by";
import type { LineageEntity } from "./lineage.entity";
import type { ModelVersionEntity } from "./model-version.entity";
import type { ModelVersionService } from "./model-version.service";

export function createModelVersionLoaders(versions: ModelVersionService) {
  return {
    versionById: new DataLoader<string, ModelVersionEntity | undefined>(async (ids) =>
      byKey(ids, await versions.byIds(ids), (row) => row.id),
    ),
    parentEdgesByChildId: new DataLoader<string, LineageEntity[]>(async (ids) =>
      groupedByKey(ids, await versions.edgesByChildIds(ids), (edge) => edge.childId),
    ),
    childEdgesByParentId: new DataLoader<string, LineageEntity[]>(async (ids) =>
      groupedByKey(ids, await versions.edgesByParentIds(ids), (edge) => edge.parentId),
    ),
  };
}
