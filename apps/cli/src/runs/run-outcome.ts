import { defineOperation, type GraphQLClient } from "@distillery/client";
import { ExitCode } from "../cli/exit-codes";

const RUN_OUTCOME = defineOperation<{ run: { status: string; job: { error: string | null } } }, { id: string }>(
  "RunOutcome",
  `query RunOutcome($id: ID!) { run(id: $id) { status job { error } } }`,
);

export interface RunOutcome {
  status: string;
  error: string | null;
  exitCode: ExitCode;
}

/** How a followed run ended: exit status 0 when it SUCCEEDED, 1 when it FAILED or was CANCELLED. */
export async function runOutcome(graphql: GraphQLClient, runId: string): Promise<RunOutcome> {
  const { run } = await graphql.request(RUN_OUTCOME, { id: runId });
  return { status: run.status, error: run.job.error, exitCode: run.status === "SUCCEEDED" ? ExitCode.OK : ExitCode.FAILED };
}

/** The line on stderr that ends `logs -f` and `launch --wait`. */
export function describeOutcome(runId: string, outcome: RunOutcome): string {
  // A cancelled job's error only says "cancelled" again.
  return `run ${runId} ${outcome.status}${outcome.error && outcome.status === "FAILED" ? `: ${outcome.error}` : ""}`;
}
