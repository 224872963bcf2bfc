#!/usr/bin/env node
import { COMMANDS, OFFLINE_COMMANDS } from "./commands";
import { describeFailure, ExitCode, exitCodeFor, UsageError } from "./cli/exit-codes";

/** Each usage is written for its place in this text: its first line is indented here. */
const indent = (text: string) => `  ${text}`;

const usage = `distillery <command> [options]

Commands that talk to the API take --api <url> (or DISTILLERY_API, else what distillery login
saved, else http://127.0.0.1:4000) and --token <token> (or DISTILLERY_TOKEN, else what distillery
login saved, else the admin token distillery up wrote in ./data). Read commands take --json.

Commands:
${COMMANDS.filter((command) => !OFFLINE_COMMANDS.has(command.name)).map((command) => indent(command.usage)).join("\n")}

Offline (files only, no server):
${COMMANDS.filter((command) => OFFLINE_COMMANDS.has(command.name)).map((command) => indent(command.usage)).join("\n")}
  help      show this text

Exit status: ${ExitCode.OK} done, ${ExitCode.FAILED} failed, ${ExitCode.USAGE} bad arguments, ${ExitCode.AUTH} no token or refused by the API's auth,
${ExitCode.NOT_FOUND} not found (a ref, run, protocol or named file), ${ExitCode.INTEGRITY} integrity (bytes do not match their digest),
${ExitCode.LOCKFILE_MISMATCH} the lockfile does not match (--frozen), ${ExitCode.UNREACHABLE} the API cannot be reached, ${ExitCode.INTERRUPTED} interrupted.
`;

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === "help" || name === "--help" || name === "-h") {
    process.stdout.write(usage);
    return ExitCode.OK;
  }
  const command = COMMANDS.find((candidate) => candidate.name === name || candidate.aliases?.includes(name));
  if (!command) {
    process.stderr.write(`distillery: unknown command "${name}"\n\n${usage}`);
    return ExitCode.USAGE;
  }
  return command.run(rest);
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    // parseArgs' own errors (an unknown option, a missing value) are usage errors too.
    const parseError = typeof (error as { code?: unknown }).code === "string" && String((error as { code: string }).code).startsWith("ERR_PARSE_ARGS");
    const code = parseError ? ExitCode.USAGE : exitCodeFor(error);
    const hint = error instanceof UsageError || parseError ? " (distillery help)" : "";
    process.stderr.write(`distillery: ${parseError ? (error as Error).message : describeFailure(error)}${hint}\n`);
    process.exit(code);
  },
);
