import { parseArgs } from "node:util";
import { type GraphQLClient, LEADERBOARD, type LeaderboardPage, type LeaderboardRow, PROTOCOLS, type ProtocolSummary } from "@distillery/client";
import { ModelRole, Precision } from "@distillery/domain";
import { expectPositionals, oneOf, positiveInteger } from "../cli/arguments";
import type { Command } from "../cli/command";
import { CONNECTION_OPTIONS, connect } from "../cli/connection";
import { ExitCode, UsageError } from "../cli/exit-codes";
import { printJson, renderTable } from "../cli/output";
import { describeProtocol, LEADERBOARD_COLUMNS } from "./leaderboard-table";

const DEFAULT_LIMIT = 50;
/** The API's largest leaderboard page. */
const PAGE_SIZE = 500;

const ORDER_BY = { fid: "FID", latency: "LATENCY_P50", memory: "PEAK_MEMORY", params: "PARAMS", size: "SIZE" } as const;

/** `distillery leaderboard`: every version's newest evaluation under one protocol, ranked. */
export const leaderboardCommand: Command = {
  name: "leaderboard",
  usage: `leaderboard [--protocol <key>] [--order-by <what>] [--descending] [--pareto] [--json]
            rank versions by their newest evaluation under one protocol (the settings they were
            measured with, printed above the table)
            --protocol <key>     a protocol's key or its first characters (default: the one
                                 used most recently)
            --order-by <what>    ${Object.keys(ORDER_BY).join(", ")} (default fid; ascending)
            --descending
            --pareto             only versions no other one beats on fid, latency and memory
            --role <role>        ${Object.values(ModelRole).join(", ")}
            --precision <p>      ${Object.values(Precision).join(", ")}
            --family <family>
            --limit <n>          at most n rows (default ${DEFAULT_LIMIT})
            --json`,
  async run(argv) {
    const { values, positionals } = parseArgs({
      args: argv,
      options: {
        ...CONNECTION_OPTIONS,
        protocol: { type: "string" },
        "order-by": { type: "string" },
        descending: { type: "boolean" },
        pareto: { type: "boolean" },
        role: { type: "string" },
        precision: { type: "string" },
        family: { type: "string" },
        limit: { type: "string" },
        json: { type: "boolean" },
      },
      allowPositionals: true,
      strict: true,
    });
    expectPositionals("leaderboard", positionals, []);
    const orderBy = ORDER_BY[oneOf("--order-by", values["order-by"] ?? "fid", Object.keys(ORDER_BY) as Array<keyof typeof ORDER_BY>)];
    const filter = {
      ...(values.role === undefined ? {} : { role: oneOf("--role", values.role, Object.values(ModelRole)) }),
      ...(values.precision === undefined ? {} : { precision: oneOf("--precision", values.precision, Object.values(Precision)) }),
      ...(values.family === undefined ? {} : { family: values.family }),
    };
    const limit = positiveInteger("--limit", values.limit) ?? DEFAULT_LIMIT;
    const connection = await connect(values);

    const protocol = await chooseProtocol(connection.graphql, values.protocol);
    if (protocol === undefined) {
      if (values.json) printJson({ protocol: null, totalCount: 0, rows: [] });
      else process.stderr.write("distillery: no evaluations yet, so no leaderboard\n");
      return ExitCode.OK;
    }
    const rows: LeaderboardRow[] = [];
    let page: LeaderboardPage;
    let after: string | null = null;
    do {
      ({ leaderboard: page } = await connection.graphql.request(LEADERBOARD, {
        protocol,
        filter,
        orderBy,
        descending: values.descending === true,
        pareto: values.pareto === true,
        first: Math.min(PAGE_SIZE, limit - rows.length),
        after,
      }));
      rows.push(...page.rows);
      after = page.endCursor;
    } while (page.hasNextPage && rows.length < limit);

    if (values.json) {
      printJson({ protocol: page.protocol, totalCount: page.totalCount, rows });
      return ExitCode.OK;
    }
    process.stdout.write(`${describeProtocol(page.protocol)}\n`);
    process.stdout.write(renderTable(rows, LEADERBOARD_COLUMNS));
    if (page.totalCount > rows.length) process.stderr.write(`distillery: the first ${rows.length} of ${page.totalCount} versions (--limit)\n`);
    return ExitCode.OK;
  },
};

/**
 * The protocol's full key: the most recently used one when none was asked for, else the one
 * whose key starts with what was given. A prefix nothing matches goes to the API as it is, so
 * the answer is the API's PROTOCOL_NOT_FOUND (exit 4).
 */
async function chooseProtocol(graphql: GraphQLClient, asked: string | undefined): Promise<string | undefined> {
  const { protocols } = await graphql.request(PROTOCOLS, {});
  if (asked === undefined) return protocols[0]?.key;
  const matches = protocols.filter((protocol) => protocol.key.startsWith(asked.toLowerCase()));
  if (matches.length > 1 && !matches.some((protocol) => protocol.key === asked)) {
    throw new UsageError(`--protocol ${asked} matches ${matches.length} protocols (${matches.map((protocol) => protocol.key.slice(0, 12)).join(", ")}): give more of the key`);
  }
  return matches.length === 1 ? matches[0]!.key : asked;
}
