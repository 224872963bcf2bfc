import { parseArgs } from "node:util";
import { defineOperation, type GraphQLClient } from "@distillery/client";
import { expectPositionals } from "../cli/arguments";
import type { Command } from "../cli/command";
import { CONNECTION_OPTIONS, connect } from "../cli/connection";
import { ExitCode } from "../cli/exit-codes";
import { untilInterrupted } from "../runs/interruption";
import { followRunLog } from "../runs/log-stream";
import { describeOutcome, runOutcome } from "../runs/run-outcome";
import { runIdFrom } from "../runs/run-id";

/** The most Run.logs hands out at once. */
const PAGE_BYTES = 1024 * 1024;

interface LogPage {
  run: { status: string; logs: { offset: number; text: string; nextOffset: number; totalBytes: number } };
}

const RUN_LOG = defineOperation<LogPage, { id: string; offset: number; limit: number }>(
  "RunLog",
  `query RunLog($id: ID!, $offset: SafeInt!, $limit: Int!) { run(id: $id) { status logs(offset: $offset, limit: $limit) { offset text nextOffset totalBytes } } }`,
);

/**
 * `distillery logs RUN [-f]`: the stored log; with -f, then what the run prints until it ends,
 * through Subscription.runLogs. Following, the exit status is the run's: 0 when it SUCCEEDED.
 */
export const logsCommand: Command = {
  name: "logs",
  usage: `logs <run> [-f] [--json]
            print the run's log (what its job wrote to stdout and stderr)
            -f, --follow   keep printing as the run writes, until it ends; then say how it
                           ended on stderr and exit 0 only when it SUCCEEDED
            --json         JSON lines: {offset, text} per piece, then {run, status}`,
  async run(argv) {
    const { values, positionals } = parseArgs({
      args: argv,
      options: { ...CONNECTION_OPTIONS, follow: { type: "boolean", short: "f" }, json: { type: "boolean" } },
      allowPositionals: true,
      strict: true,
    });
    const [named] = expectPositionals("logs", positionals, ["run"]);
    const runId = runIdFrom(named!);
    const connection = await connect(values);
    const print = (slice: { offset: number; text: string }) =>
      process.stdout.write(values.json ? `${JSON.stringify({ offset: slice.offset, text: slice.text })}\n` : slice.text);

    if (!values.follow) {
      const status = await printStoredLog(connection.graphql, runId, print);
      if (values.json) process.stdout.write(`${JSON.stringify({ run: runId, status })}\n`);
      return ExitCode.OK;
    }
    // The run over HTTP first: an unknown run (4) or a refused token (3) is said plainly there.
    await connection.graphql.request(RUN_LOG, { id: runId, offset: 0, limit: 1 });
    const followed = await untilInterrupted(
      followRunLog({
        apiUrl: connection.apiUrl,
        authorization: connection.graphql.authorization(),
        runId,
        offset: 0,
        onSlice: print,
        notice: (line) => process.stderr.write(`distillery: ${line}\n`),
      }),
    );
    if (followed === ExitCode.INTERRUPTED) return ExitCode.INTERRUPTED;
    const outcome = await runOutcome(connection.graphql, runId);
    if (values.json) process.stdout.write(`${JSON.stringify({ run: runId, status: outcome.status, error: outcome.error })}\n`);
    process.stderr.write(`distillery: ${describeOutcome(runId, outcome)}\n`);
    return outcome.exitCode;
  },
};

/** Pages through what is stored now; the run's status when the last page was read. */
async function printStoredLog(graphql: GraphQLClient, runId: string, print: (slice: { offset: number; text: string }) => void): Promise<string> {
  let offset = 0;
  for (;;) {
    const { run } = await graphql.request(RUN_LOG, { id: runId, offset, limit: PAGE_BYTES });
    if (run.logs.text) print(run.logs);
    offset = run.logs.nextOffset;
    if (offset >= run.logs.totalBytes || run.logs.text === "") return run.status;
  }
}
