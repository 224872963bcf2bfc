import { parseArgs } from "node:util";
import { defineOperation, RUN_SUMMARY_FIELDS, type RunSummary } from "@distillery/client";
import { RunStatus } from "@distillery/domain";
import { expectPositionals, oneOf, positiveInteger } from "../cli/arguments";
import type { Command } from "../cli/command";
import { CONNECTION_OPTIONS, connect } from "../cli/connection";
import { ExitCode } from "../cli/exit-codes";
import { printJson, renderTable } from "../cli/output";
import { findExperiment } from "../runs/find-experiment";
import { runColumns } from "../runs/run-columns";

const DEFAULT_LIMIT = 20;
/** The API's largest page. */
const PAGE_SIZE = 100;

interface RunsPage {
  runs: { totalCount: number; edges: Array<{ node: RunSummary }>; pageInfo: { hasNextPage: boolean; endCursor: string | null } };
}

const RUNS = defineOperation<RunsPage, { first: number; after: string | null; filter: { experiment?: string; status?: RunStatus } }>(
  "Runs",
  `query Runs($first: Int!, $after: String, $filter: RunFilter) {
    runs(first: $first, after: $after, filter: $filter) { totalCount edges { node { ${RUN_SUMMARY_FIELDS} } } pageInfo { hasNextPage endCursor } }
  }`,
);

/** `distillery runs`: the newest runs, as a table or JSON. */
export const runsCommand: Command = {
  name: "runs",
  usage: `runs [--experiment <name|id>] [--status <status>] [--limit <n>] [--json]
            the newest runs: id, experiment, number, kind, status, progress, created, duration
            --experiment <name|id>   only this experiment's
            --status <status>        only QUEUED, RUNNING, SUCCEEDED, FAILED or CANCELLED ones
            --limit <n>              at most n (default ${DEFAULT_LIMIT})`,
  async run(argv) {
    const { values, positionals } = parseArgs({
      args: argv,
      options: { ...CONNECTION_OPTIONS, experiment: { type: "string" }, status: { type: "string" }, limit: { type: "string" }, json: { type: "boolean" } },
      allowPositionals: true,
      strict: true,
    });
    expectPositionals("runs", positionals, []);
    const status = values.status === undefined ? undefined : oneOf("--status", values.status, Object.values(RunStatus));
    const limit = positiveInteger("--limit", values.limit) ?? DEFAULT_LIMIT;
    const connection = await connect(values);
    const experiment = values.experiment === undefined ? undefined : await findExperiment(connection.graphql, values.experiment);
    const filter = { ...(experiment ? { experiment: experiment.id } : {}), ...(status ? { status } : {}) };

    const rows: RunSummary[] = [];
    let totalCount = 0;
    let after: string | null = null;
    do {
      const page: RunsPage = await connection.graphql.request(RUNS, { first: Math.min(PAGE_SIZE, limit - rows.length), after, filter });
      rows.push(...page.runs.edges.map((edge) => edge.node));
      totalCount = page.runs.totalCount;
      after = page.runs.pageInfo.hasNextPage ? page.runs.pageInfo.endCursor : null;
    } while (after !== null && rows.length < limit);

    if (values.json) {
      printJson(rows);
      return ExitCode.OK;
    }
    process.stdout.write(renderTable(rows, runColumns(new Date())));
    if (totalCount > rows.length) process.stderr.write(`distillery: the newest ${rows.length} of ${totalCount} runs (--limit)\n`);
    return ExitCode.OK;
  },
};
