import { defineOperation, type GraphQLClient } from "@distillery/client";
import { isUuid } from "@distillery/domain";
import { CliError, ExitCode } from "../cli/exit-codes";

export interface ExperimentSummary {
  id: string;
  name: string;
  kind: string;
  spec: Record<string, unknown>;
}

const FIELDS = "id name kind spec";

const EXPERIMENT = defineOperation<{ experiment: ExperimentSummary }, { id: string }>(
  "Experiment",
  `query Experiment($id: ID!) { experiment(id: $id) { ${FIELDS} } }`,
);

interface ExperimentsPage {
  experiments: { edges: Array<{ node: ExperimentSummary }>; pageInfo: { hasNextPage: boolean; endCursor: string | null } };
}

const EXPERIMENTS_NAMED = defineOperation<ExperimentsPage, { name: string; after: string | null }>(
  "ExperimentsNamed",
  `query ExperimentsNamed($name: String!, $after: String) {
    experiments(filter: { nameContains: $name }, first: 100, after: $after) { edges { node { ${FIELDS} } } pageInfo { hasNextPage endCursor } }
  }`,
);

/**
 * The experiment with exactly this name. The API filters by substring only, so the pages of
 * names containing it are searched for the one that is equal (names are unique).
 */
export async function experimentNamed(graphql: GraphQLClient, name: string): Promise<ExperimentSummary | undefined> {
  let after: string | null = null;
  for (;;) {
    const { experiments }: ExperimentsPage = await graphql.request(EXPERIMENTS_NAMED, { name, after });
    const match = experiments.edges.find((edge) => edge.node.name === name);
    if (match) return match.node;
    if (!experiments.pageInfo.hasNextPage) return undefined;
    after = experiments.pageInfo.endCursor;
  }
}

/** An experiment named by id or by name; exit 4 when there is none. */
export async function findExperiment(graphql: GraphQLClient, nameOrId: string): Promise<ExperimentSummary> {
  if (isUuid(nameOrId)) return (await graphql.request(EXPERIMENT, { id: nameOrId })).experiment;
  const found = await experimentNamed(graphql, nameOrId);
  if (!found) throw new CliError(`EXPERIMENT_NOT_FOUND: no experiment named "${nameOrId}"`, ExitCode.NOT_FOUND);
  return found;
}
