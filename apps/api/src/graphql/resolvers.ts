import type { NonEmptyArray } from "type-graphql";
import { AliasEventResolver, AliasResolver } from "../modules/alias/alias.resolver";
import { ApiTokenResolver } from "../modules/api-token/api-token.resolver";
import { BlobResolver } from "../modules/blob/blob.resolver";
import { LineageEdgeResolver, ModelVersionResolver } from "../modules/model-version/model-version.resolver";
import { ModelResolver } from "../modules/model/model.resolver";

export const resolvers: NonEmptyArray<Function> = [
  ApiTokenResolver,
  BlobResolver,
  ModelResolver,
  ModelVersionResolver,
  LineageEdgeResolver,
  AliasResolver,
  AliasEventResolver,
];
