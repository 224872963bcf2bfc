import { defineOperation } from "@distillery/client";

export const SET_ALIAS = defineOperation<{ setAlias: { name: string; version: { ref: string; version: number } } }, { input: { model: string; alias: string; version: number } }>(
  "SetAlias",
  `mutation SetAlias($input: SetAliasInput!) { setAlias(input: $input) { name version { ref version } } }`,
);

export const DELETE_ALIAS = defineOperation<{ deleteAlias: boolean }, { model: string; alias: string }>(
  "DeleteAlias",
  `mutation DeleteAlias($model: String!, $alias: String!) { deleteAlias(model: $model, alias: $alias) }`,
);
