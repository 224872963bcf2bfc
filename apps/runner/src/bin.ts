#!/usr/bin/env node
import { hostname } from "node:os";
import { runAgent } from "./agent/agent";
import { FatalError } from "./agent/fatal-error";
import { UsageError, parseRunnerArgs } from "./cli/parse-args";
import { usage } from "./cli/usage";
import { createLogger, logLevelFrom } from "./log/logger";

async function main(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseRunnerArgs(argv, process.env, { hostname: hostname(), cwd: process.cwd() });
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`distillery-runner: ${error.message} (see --help)\n`);
    return 2;
  }
  if (parsed.help) {
    process.stdout.write(usage);
    return 0;
  }
  const { config } = parsed;
  const logger = createLogger({ level: logLevelFrom(process.env.LOG_LEVEL), base: { component: "runner", runner: config.name } });
  const shutdown = new AbortController();
  for (const signal of ["SIGTERM", "SIGINT"] as const) {
    process.on(signal, () => {
      if (shutdown.signal.aborted) return;
      logger.info("shutting down: no new jobs, stopping the current one", { signal });
      shutdown.abort();
    });
  }
  try {
    return await runAgent(config, logger, shutdown.signal);
  } catch (error) {
    if (error instanceof FatalError) {
      logger.fatal(error.message);
      return error.exitCode;
    }
    logger.fatal("the runner crashed", { error: (error as Error).stack ?? String(error) });
    return 1;
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`distillery-runner: ${(error as Error).stack ?? String(error)}\n`);
    process.exit(1);
  },
);
