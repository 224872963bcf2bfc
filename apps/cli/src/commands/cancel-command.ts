import { parseArgs } from "node:util";
import { defineOperation } from "@distillery/client";
import { expectPositionals } from "../cli/arguments";
import type { Command } from "../cli/command";
import { CONNECTION_OPTIONS, connect } from "../cli/connection";
import { ExitCode } from "../cli/exit-codes";
import { printJson } from "../cli/output";
import { runIdFrom } from "../runs/run-id";

const CANCEL_RUN = defineOperation<{ cancelRun: { id: string; status: string; job: { cancelRequested: boolean } } }, { id: string }>(
  "CancelRun",
  `mutation CancelRun($id: ID!) { cancelRun(id: $id) { id status job { cancelRequested } } }`,
);

/**
 * `distillery cancel RUN`. A queued run is cancelled at once; a running one when its runner next
 * hears from the API (its heartbeat) and stops the job, so the status printed may still be RUNNING.
 */
export const cancelCommand: Command = {
  name: "cancel",
  usage: `cancel <run> [--json]
            cancel a run: a queued one at once, a running one when its runner stops it (at its
            next heartbeat); prints the status. A finished run cannot be cancelled (exit 1)
            --json   {run, status, cancelRequested}`,
  async run(argv) {
    const { values, positionals } = parseArgs({ args: argv, options: { ...CONNECTION_OPTIONS, json: { type: "boolean" } }, allowPositionals: true, strict: true });
    const [named] = expectPositionals("cancel", positionals, ["run"]);
    const runId = runIdFrom(named!);
    const connection = await connect(values);
    const { cancelRun } = await connection.graphql.request(CANCEL_RUN, { id: runId });
    if (values.json) {
      printJson({ run: cancelRun.id, status: cancelRun.status, cancelRequested: cancelRun.job.cancelRequested });
    } else if (cancelRun.status === "CANCELLED") {
      process.stdout.write(`${cancelRun.id} CANCELLED\n`);
    } else {
      process.stdout.write(`${cancelRun.id} ${cancelRun.status}, cancel requested: its runner stops it at its next heartbeat\n`);
    }
    return ExitCode.OK;
  },
};
