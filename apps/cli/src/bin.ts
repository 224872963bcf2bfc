#!/usr/bin/env node
import { parseArgs } from "node:util";
import { up } from "./commands/up";

const usage = `distillery <command> [options]

Commands:
  up        start the platform locally: the API on http://127.0.0.1:4000 with data in ./data,
            and a runner named "local" that takes jobs (work in ./data/runner)
            --port <n>       listen on another port (or PORT)
            --data-dir <dir> keep data elsewhere (or DISTILLERY_DATA_DIR)
            DATABASE_URL=postgres://… uses that PostgreSQL instead of the embedded PGlite

  help      show this text
`;

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case "up": {
      const { values } = parseArgs({
        args: rest,
        options: { port: { type: "string" }, "data-dir": { type: "string" } },
        strict: true,
      });
      return up({ port: values.port, dataDir: values["data-dir"] });
    }
    case undefined:
    case "help":
    case "--help":
    case "-h":
      process.stdout.write(usage);
      return 0;
    default:
      process.stderr.write(`distillery: unknown command "${command}"\n\n${usage}`);
      return 2;
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`distillery: ${(error as Error).message}\n`);
    process.exit(2);
  },
);
