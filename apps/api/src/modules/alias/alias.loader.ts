import DataLoader from "dataloader";
import { groupedByKey } from "../../graphql/group-by";
import type { AliasEventEntity } from "./alias-event.entity";
import type { AliasEntity } from "./alias.entity";
import type { AliasService } from "./alias.service";

export interface AliasKey {
  modelId: string;
  alias: string;
}

export function createAliasLoaders(aliases: AliasService) {
  return {
    aliasesByModelId: new DataLoader<string, AliasEntity[]>(async (ids) =>
      groupedByKey(ids, await aliases.byModelIds(ids), (row) => row.modelId),
    ),
    aliasesByVersionId: new DataLoader<string, AliasEntity[]>(async (ids) =>
      groupedByKey(ids, await aliases.byVersionIds(ids), (row) => row.versionId),
    ),
    historyByModelId: new DataLoader<string, AliasEventEntity[]>(async (ids) =>
      groupedByKey(ids, await aliases.historyOfModels(ids), (event) => event.modelId),
    ),
    historyByAlias: new DataLoader<AliasKey, AliasEventEntity[], string>(
      async (keys) => {
        const events = await aliases.historyOf(keys);
        return groupedByKey(keys.map(aliasKey), events, (event) => aliasKey(event));
      },
      { cacheKeyFn: aliasKey },
    ),
  };
}

function aliasKey(key: { modelId: string; alias: string }): string {
  return `${key.modelId}/${key.alias}`;
}
