import { defineOperation, type GraphQLClient } from "@distillery/client";
import type { EvaluationMeasurements } from "@distillery/domain";
import type { LineageLink, LineageVersion } from "./lineage-graph";

/** The registry's operations the model pages use: the list, one model, one version, promote. */

export interface RunLink {
  id: string;
  number: number;
  experiment: { name: string };
}

export interface ModelSummary {
  name: string;
  role: string;
  family: string;
  updatedAt: string;
  versions: { totalCount: number };
  aliases: Array<{ name: string; version: { version: number } }>;
}

export interface ModelsVariables {
  first: number;
  after: string | null;
  filter: { role?: string; nameContains?: string };
}

export interface ModelsPage {
  edges: Array<{ node: ModelSummary }>;
  pageInfo: { endCursor: string | null; hasNextPage: boolean };
  totalCount: number;
}

export const MODELS = defineOperation<{ models: ModelsPage }, ModelsVariables>(
  "Models",
  `query Models($first: Int!, $after: String, $filter: ModelFilter) {
    models(first: $first, after: $after, filter: $filter) {
      totalCount
      pageInfo { endCursor hasNextPage }
      edges { node { name role family updatedAt versions(first: 1) { totalCount } aliases { name version { version } } } }
    }
  }`,
);

/** A version with its neighbours one edge away: a row of the versions table, a start of the lineage walk. */
export interface VersionRow extends LineageVersion {
  format: string;
  params: number | null;
  sizeBytes: number;
  createdAt: string;
  createdBy: string;
  aliases: Array<{ name: string }>;
  producedBy: RunLink | null;
  parents: LineageLink[];
  children: LineageLink[];
}

const NEIGHBOUR = "id ref version precision status model { name }";
const RUN_LINK = "id number experiment { name }";
const VERSION_ROW = `${NEIGHBOUR} format params sizeBytes createdAt createdBy aliases { name } producedBy { ${RUN_LINK} }
  parents { relation recipe version { ${NEIGHBOUR} } } children { relation recipe version { ${NEIGHBOUR} } }`;

export interface AliasEvent {
  alias: string;
  at: string;
  actor: string;
  from: { version: number; ref: string } | null;
  to: { version: number; ref: string } | null;
}

export interface CurrentAlias {
  name: string;
  updatedAt: string;
  version: { version: number; ref: string };
}

export interface ModelDetail {
  name: string;
  role: string;
  family: string;
  description: string;
  tags: string[];
  createdAt: string;
  createdBy: string;
  updatedAt: string;
  aliases: CurrentAlias[];
  /** Every move of every alias, deleted ones included, oldest first. */
  aliasHistory: AliasEvent[];
  versions: { totalCount: number; edges: Array<{ node: VersionRow }> };
}

export const MODEL_PAGE = defineOperation<{ model: ModelDetail }, { name: string; first: number }>(
  "ModelPage",
  `query ModelPage($name: String!, $first: Int!) {
    model(name: $name) {
      name role family description tags createdAt createdBy updatedAt
      aliases { name updatedAt version { version ref } }
      aliasHistory { alias at actor from { version ref } to { version ref } }
      versions(first: $first) { totalCount edges { node { ${VERSION_ROW} } } }
    }
  }`,
);

export interface EvaluationRow extends EvaluationMeasurements {
  id: string;
  createdAt: string;
  protocol: { key: string; steps: number; samples: number; sampler: string; dataset: string; resolution: number; hardware: string };
  run: RunLink | null;
  version: { ref: string; version: number; model: { name: string } };
}

const EVALUATION_ROW = `id createdAt fid latencyP50Ms latencyP95Ms throughput peakMemoryBytes params
  protocol { key steps samples sampler dataset resolution hardware } run { ${RUN_LINK} } version { ref version model { name } }`;

export interface VersionDetail extends VersionRow {
  digest: string;
  metadata: Record<string, unknown>;
  model: { name: string; role: string; family: string; aliases: Array<{ name: string }> };
}

export const VERSION_PAGE = defineOperation<{ modelVersion: VersionDetail; evaluations: EvaluationRow[] }, { ref: string }>(
  "VersionPage",
  `query VersionPage($ref: String!) {
    modelVersion(ref: $ref) { ${VERSION_ROW} digest metadata model { name role family aliases { name } } }
    evaluations(version: $ref) { ${EVALUATION_ROW} }
  }`,
);

/** Every evaluation of each ref, in one request: one aliased field per ref. */
export async function evaluationsOf(client: GraphQLClient, refs: string[]): Promise<EvaluationRow[]> {
  if (refs.length === 0) return [];
  const variables = Object.fromEntries(refs.map((ref, index) => [`r${index}`, ref]));
  const operation = defineOperation<Record<string, EvaluationRow[]>, Record<string, string>>(
    "ModelEvaluations",
    `query ModelEvaluations(${refs.map((_, index) => `$r${index}: String!`).join(", ")}) {
      ${refs.map((_, index) => `e${index}: evaluations(version: $r${index}) { ${EVALUATION_ROW} }`).join("\n")}
    }`,
  );
  const data = await client.request(operation, variables);
  return refs.flatMap((_, index) => data[`e${index}`] ?? []);
}

/** Versions with their parents (up) or their children (down), for the lineage walk. */
export async function versionsWithLinks(client: GraphQLClient, refs: string[], direction: "up" | "down"): Promise<Array<LineageVersion & { parents?: LineageLink[]; children?: LineageLink[] }>> {
  if (refs.length === 0) return [];
  const links = direction === "up" ? "parents" : "children";
  const variables = Object.fromEntries(refs.map((ref, index) => [`r${index}`, ref]));
  const operation = defineOperation<Record<string, LineageVersion & { parents?: LineageLink[]; children?: LineageLink[] }>, Record<string, string>>(
    "LineageStep",
    `query LineageStep(${refs.map((_, index) => `$r${index}: String!`).join(", ")}) {
      ${refs.map((_, index) => `v${index}: modelVersion(ref: $r${index}) { ${NEIGHBOUR} ${links} { relation recipe version { ${NEIGHBOUR} } } }`).join("\n")}
    }`,
  );
  const data = await client.request(operation, variables);
  return refs.flatMap((_, index) => data[`v${index}`] ?? []);
}

export interface SetAliasVariables {
  input: { model: string; alias: string; version: number };
}

export const SET_ALIAS = defineOperation<{ setAlias: { name: string; version: { ref: string } } }, SetAliasVariables>(
  "SetAlias",
  `mutation SetAlias($input: SetAliasInput!) { setAlias(input: $input) { name version { ref } } }`,
);
