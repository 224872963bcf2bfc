import type { BlobStore } from "@distillery/blobstore";
import type { Database } from "./db/database";
import type { EventBus } from "./graphql/event-bus";
import { AliasService } from "./modules/alias/alias.service";
import { ApiTokenService } from "./modules/api-token/api-token.service";
import { BlobService } from "./modules/blob/blob.service";
import { ModelVersionService } from "./modules/model-version/model-version.service";
import { ModelService } from "./modules/model/model.service";

export interface Services {
  db: Database;
  blobStore: BlobStore;
  events: EventBus;
  tokens: ApiTokenService;
  blobs: BlobService;
  models: ModelService;
  versions: ModelVersionService;
  aliases: AliasService;
}

export function createServices(db: Database, blobStore: BlobStore, events: EventBus): Services {
  return {
    db,
    blobStore,
    events,
    tokens: new ApiTokenService(db),
    blobs: new BlobService(db),
    models: new ModelService(db),
    versions: new ModelVersionService(db),
    aliases: new AliasService(db, events),
  };
}
