import DataLoader from "dataloader";
import { byKey } from "../../graphql/group-by";
import type { ModelEntity } from "./model.entity";
import type { ModelService } from "./model.service";

export function createModelLoaders(models: ModelService) {
  return {
    modelById: new DataLoader<string, ModelEntity | undefined>(async (ids) => byKey(ids, await models.byIds(ids), (row) => row.id)),
  };
}
