#!/usr/bin/env node
import { parseArgs } from "node:util";
import { validateModelName } from "@distillery/domain";
import { DATASET_SOURCES, type DatasetSource, datasetsImport } from "./commands/datasets-import";
import { up } from "./commands/up";

const usage = `distillery <command> [options]

Commands:
  up        start the platform locally: the API on http://127.0.0.1:4000 with data in ./data,
            and a runner named "local" that takes jobs (work in ./data/runner)
            --port <n>       listen on another port (or PORT)
            --data-dir <dir> keep data elsewhere (or DISTILLERY_DATA_DIR)
            DATABASE_URL=postgres://… uses that PostgreSQL instead of the embedded PGlite

  datasets import <fashion-mnist|synthetic> --name <name>
            export a dataset with the trainer, upload it, and register it as the next version
            of <name>; prints its ref (e.g. fashion-mnist-train@v1), which specs name as
            {"source": "platform", "ref": "…"}
            --split train|test   Fashion-MNIST's split (default train; Debian's dataset-fashion-mnist)
            --resolution <n>     image side in pixels (default 16)
            --limit <n>          keep the first n images
            --description <text>
            --api <url>          the API (or DISTILLERY_API; default http://127.0.0.1:4000)
            --token <token>      a WRITE token (or DISTILLERY_TOKEN; default the admin token in
                                 $DISTILLERY_DATA_DIR/admin-token or ./data/admin-token)
            DISTILLERY_PYTHON    the Python with torch and numpy (default /usr/bin/python3)

  help      show this text
`;

/** Thrown for arguments that make no sense: exit status 2, with the usage hint. */
class UsageError extends Error {}

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
    case "datasets":
      return datasets(rest);
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

async function datasets(argv: string[]): Promise<number> {
  const [subcommand, ...rest] = argv;
  if (subcommand !== "import") throw new UsageError(subcommand ? `unknown datasets command "${subcommand}": use datasets import` : "datasets needs a command: datasets import");
  const { values, positionals } = parseArgs({
    args: rest,
    options: {
      name: { type: "string" },
      split: { type: "string" },
      resolution: { type: "string" },
      limit: { type: "string" },
      description: { type: "string" },
      api: { type: "string" },
      token: { type: "string" },
    },
    allowPositionals: true,
    strict: true,
  });
  const [source, ...extra] = positionals;
  if (!source || !(DATASET_SOURCES as readonly string[]).includes(source)) {
    throw new UsageError(`datasets import needs a source: ${DATASET_SOURCES.join(" or ")}${source ? ` (not "${source}")` : ""}`);
  }
  if (extra.length > 0) throw new UsageError(`unexpected argument "${extra[0]}"`);
  if (!values.name) throw new UsageError("datasets import needs --name <name>");
  try {
    validateModelName(values.name);
  } catch {
    throw new UsageError(`--name "${values.name}" must be 1-100 characters of a-z, 0-9, '.', '_' or '-', starting with a letter or digit`);
  }
  if (values.split !== undefined && source !== "fashion-mnist") throw new UsageError("--split applies to fashion-mnist only");
  if (values.split !== undefined && values.split !== "train" && values.split !== "test") throw new UsageError(`--split must be train or test, not "${values.split}"`);

  const resolution = positiveInteger("--resolution", values.resolution, 1024);
  const limit = positiveInteger("--limit", values.limit);

  // Ctrl-C stops the export and still removes its temporary files.
  const controller = new AbortController();
  const interrupt = () => controller.abort();
  process.once("SIGINT", interrupt);
  process.once("SIGTERM", interrupt);
  try {
    return await datasetsImport(
      {
        source: source as DatasetSource,
        name: values.name,
        split: values.split,
        resolution,
        limit,
        description: values.description,
        api: values.api,
        token: values.token,
      },
      controller.signal,
    );
  } catch (error) {
    process.stderr.write(`distillery: ${(error as Error).message}\n`);
    return controller.signal.aborted ? 130 : 1;
  } finally {
    process.off("SIGINT", interrupt);
    process.off("SIGTERM", interrupt);
  }
}

function positiveInteger(flag: string, value: string | undefined, max?: number): number | undefined {
  if (value === undefined) return undefined;
  const number = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(number) || number < 1 || (max !== undefined && number > max)) {
    throw new UsageError(`${flag} must be a whole number${max === undefined ? " of at least 1" : ` from 1 to ${max}`}, not "${value}"`);
  }
  return number;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    // Bad arguments (parseArgs' own errors too): exit status 2.
    const hint = error instanceof UsageError ? " (distillery help)" : "";
    process.stderr.write(`distillery: ${(error as Error).message}${hint}\n`);
    process.exit(2);
  },
);
