import { defineOperation } from "@distillery/client";
import type { Page } from "./version-operations";
import type { ModelRole } from "./version-record";

export interface ModelSummary {
  name: string;
  role: ModelRole;
  family: string;
  description: string;
  tags: string[];
  createdAt: string;
  updatedAt: string;
  aliases: { name: string; version: { version: number } }[];
  versions: { totalCount: number };
}

const MODEL_FIELDS = `name role family description tags createdAt updatedAt aliases { name version { version } } versions(first: 1) { totalCount }`;

export const MODEL = defineOperation<{ model: ModelSummary }, { name: string }>("Model", `query Model($name: String!) { model(name: $name) { ${MODEL_FIELDS} } }`);

export const MODELS = defineOperation<{ models: Page<ModelSummary> }, { first: number; after: string | null; filter: { role?: ModelRole } }>(
  "Models",
  `query Models($first: Int!, $after: String, $filter: ModelFilter) {
    models(first: $first, after: $after, filter: $filter) { totalCount pageInfo { endCursor hasNextPage } edges { node { ${MODEL_FIELDS} } } }
  }`,
);

export const CREATE_MODEL = defineOperation<{ createModel: ModelSummary }, { input: { name: string; role: ModelRole; family: string; description: string } }>(
  "CreateModel",
  `mutation CreateModel($input: CreateModelInput!) { createModel(input: $input) { ${MODEL_FIELDS} } }`,
);
