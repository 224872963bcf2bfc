import { parseArgs } from "node:util";
import { ApiError, defineOperation, type GraphQLClient } from "@distillery/client";
import { expectPositionals, positiveInteger } from "../cli/arguments";
import type { Command } from "../cli/command";
import { CONNECTION_OPTIONS, connect } from "../cli/connection";
import { CliError, ExitCode, UsageError } from "../cli/exit-codes";
import { printJson } from "../cli/output";
import { experimentNamed } from "../runs/find-experiment";
import { untilInterrupted } from "../runs/interruption";
import { followRunLog } from "../runs/log-stream";
import { describeOutcome, runOutcome } from "../runs/run-outcome";
import { sameExperiment } from "../runs/same-spec";
import { type ExperimentInput, readSpecFile } from "../runs/spec-file";

interface LaunchedRun {
  id: string;
  number: number;
  waitingReason: string | null;
}

const CREATE_EXPERIMENT = defineOperation<{ createExperiment: { id: string; name: string } }, { input: ExperimentInput }>(
  "CreateExperiment",
  `mutation CreateExperiment($input: CreateExperimentInput!) { createExperiment(input: $input) { id name } }`,
);

const LAUNCH_EXPERIMENT = defineOperation<{ launchExperiment: LaunchedRun }, { input: { experiment: string; maxAttempts?: number } }>(
  "LaunchExperiment",
  `mutation LaunchExperiment($input: LaunchExperimentInput!) { launchExperiment(input: $input) { id number waitingReason } }`,
);

/**
 * `distillery launch -f spec.json|yaml`: creates the experiment the file describes and queues a
 * run of it; the run id goes to stdout, what happened to stderr. Launching the same file again
 * queues another run of the same experiment.
 */
export const launchCommand: Command = {
  name: "launch",
  usage: `launch -f <spec.json|spec.yaml> [--name <name>] [--max-attempts <n>] [--wait] [--json]
            create the experiment the file describes ({name, kind, spec, tags}, as in examples/)
            and queue a run of it; prints the run id. A file whose experiment exists with the
            same kind and spec queues another run of it; a different one needs --name
            --name <name>         the experiment's name instead of the file's
            --max-attempts <n>    leases before the run is given up (default 3)
            --wait                follow the run to its end, its log on stderr; exit 0 only
                                  when it SUCCEEDED
            --json                {experiment, run, number} instead of the run id`,
  async run(argv) {
    const { values, positionals } = parseArgs({
      args: argv,
      options: {
        ...CONNECTION_OPTIONS,
        file: { type: "string", short: "f" },
        name: { type: "string" },
        "max-attempts": { type: "string" },
        wait: { type: "boolean" },
        json: { type: "boolean" },
      },
      allowPositionals: true,
      strict: true,
    });
    expectPositionals("launch", positionals, []);
    if (!values.file) throw new UsageError("launch needs -f <spec.json|spec.yaml>");
    const maxAttempts = positiveInteger("--max-attempts", values["max-attempts"], 100);
    const input = await readSpecFile(values.file);
    if (values.name !== undefined) input.name = values.name;

    const connection = await connect(values);
    const experiment = await createOrReuse(connection.graphql, input);
    const { launchExperiment: run } = await connection.graphql.request(LAUNCH_EXPERIMENT, {
      input: { experiment: experiment.id, ...(maxAttempts === undefined ? {} : { maxAttempts }) },
    });
    const waiting = run.waitingReason ? ` (${run.waitingReason})` : "";
    const how = experiment.created ? `created experiment ${input.name}` : `experiment ${input.name} exists with the same kind and spec`;
    process.stderr.write(`distillery: ${how}; queued run #${run.number} of it${waiting}\n`);
    if (values.json) printJson({ experiment: input.name, run: run.id, number: run.number });
    else process.stdout.write(`${run.id}\n`);
    if (!values.wait) return ExitCode.OK;

    const followed = await untilInterrupted(
      followRunLog({
        apiUrl: connection.apiUrl,
        authorization: connection.graphql.authorization(),
        runId: run.id,
        offset: 0,
        onSlice: (slice) => process.stderr.write(slice.text),
        notice: (line) => process.stderr.write(`distillery: ${line}\n`),
      }),
    );
    if (followed === ExitCode.INTERRUPTED) return ExitCode.INTERRUPTED;
    const outcome = await runOutcome(connection.graphql, run.id);
    process.stderr.write(`distillery: ${describeOutcome(run.id, outcome)}\n`);
    return outcome.exitCode;
  },
};

/**
 * The experiment to launch: created from the file, or, when one of that name exists already,
 * that one, provided it is the same kind and spec (anything else would run something other than
 * what the file says).
 */
async function createOrReuse(graphql: GraphQLClient, input: ExperimentInput): Promise<{ id: string; created: boolean }> {
  try {
    const { createExperiment } = await graphql.request(CREATE_EXPERIMENT, { input });
    return { id: createExperiment.id, created: true };
  } catch (error) {
    if (!(error instanceof ApiError && error.reason === "EXPERIMENT_EXISTS")) throw error;
  }
  const existing = await experimentNamed(graphql, input.name);
  // Created and gone again between the two calls: let the user try again rather than guess.
  if (!existing) throw new CliError(`EXPERIMENT_EXISTS: the API says "${input.name}" exists but does not list it; try again`, ExitCode.FAILED);
  if (!sameExperiment(existing, input)) {
    const what = existing.kind === input.kind ? "spec" : `kind (${existing.kind})`;
    throw new CliError(`EXPERIMENT_EXISTS: an experiment named "${input.name}" exists with a different ${what}; pass --name to launch this one under another name`, ExitCode.FAILED);
  }
  return { id: existing.id, created: false };
}
