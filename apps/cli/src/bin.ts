#!/usr/bin/env node
import { parseArgs } from "node:util";
import { validateModelName } from "@distillery/domain";
import { DATASET_SOURCES, type DatasetSource, datasetsImport } from "./commands/datasets-import";
import { up } from "./commands/up";
import { fid } from "./offline/fid";
import { inspect } from "./offline/inspect";
import { METHOD_NAMES, parseSchedule, quantize } from "./offline/quantize";
import { MissingFileError } from "./offline/read-input-file";

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

Offline (files only, no server):
  inspect <model.onnx> [--json]
            opset, parameters, precision, inputs/outputs, op histogram and metadata of a model
  quantize <in.onnx> --precision <fp16|int8|int8-dynamic|int8-static> -o <out.onnx> [--json]
            the runners' quantizer; int8 (= int8-static) is QDQ, S8S8, per-channel weights,
            activation ranges calibrated in onnxruntime; reports the error against fp32
            --calibration sampler|<inputs.npz>
                             sampler (default): the UNet's own DDIM trajectories (a UNet the
                             trainer exported); or one array per model input, batch first
            --calibration-method minmax|percentile   (default percentile)
            --percentile <p>          of |x| per tensor (default 99.99)
            --calibration-samples <n> trajectories recorded (default 32)
            --calibration-steps <n>   sampler steps per trajectory (default 50)
            --schedule cosine:1000    the noise schedule (default: the file's metadata)
            --activations int8|uint8  int8-static's activations: int8 (S8S8, default) or uint8
                                      (U8S8: same error, fully fused on x86 CPUs without VNNI)
            --seed <n>                (default 0)
  fid <a.npz> <b.npz> [--json]
            Frechet distance between two pytorch-fid statistics files (mu, sigma)

  help      show this text

Exit status: 0 done, 1 failed, 2 bad arguments, 4 a named file does not exist.
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
    case "inspect":
    case "quantize":
    case "fid":
      return offline(command, rest);
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

/** The commands that work on files alone. */
async function offline(command: "inspect" | "quantize" | "fid", argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    options: {
      json: { type: "boolean", default: false },
      precision: { type: "string" },
      output: { type: "string", short: "o" },
      calibration: { type: "string", default: "sampler" },
      "calibration-method": { type: "string", default: "percentile" },
      percentile: { type: "string", default: "99.99" },
      "calibration-samples": { type: "string", default: "32" },
      "calibration-steps": { type: "string", default: "50" },
      schedule: { type: "string" },
      seed: { type: "string", default: "0" },
      activations: { type: "string", default: "int8" },
    },
    allowPositionals: true,
    strict: true,
  });
  const files = command === "fid" ? 2 : 1;
  if (positionals.length !== files) throw new UsageError(`${command} takes ${files === 1 ? "one model file" : "two .npz files"}`);
  const json = values.json ?? false;
  let run: () => Promise<number>;
  if (command === "inspect") {
    run = () => inspect(positionals[0]!, { json });
  } else if (command === "fid") {
    run = () => fid(positionals[0]!, positionals[1]!, { json });
  } else {
    const method = values.precision === undefined ? undefined : METHOD_NAMES[values.precision];
    if (!method) throw new UsageError(`quantize needs --precision ${Object.keys(METHOD_NAMES).join("|")}${values.precision ? ` (not "${values.precision}")` : ""}`);
    if (!values.output) throw new UsageError("quantize needs -o <out.onnx>");
    const calibrationMethod = values["calibration-method"];
    if (calibrationMethod !== "minmax" && calibrationMethod !== "percentile") throw new UsageError(`--calibration-method must be minmax or percentile, not "${String(calibrationMethod)}"`);
    const activations = values.activations;
    if (activations !== "int8" && activations !== "uint8") throw new UsageError(`--activations must be int8 or uint8, not "${String(activations)}"`);
    const percentile = Number(values.percentile);
    if (!(percentile > 90 && percentile <= 100)) throw new UsageError(`--percentile must be above 90 and at most 100, not "${values.percentile}"`);
    const options = {
      input: positionals[0]!,
      output: values.output,
      method,
      calibration: values.calibration ?? "sampler",
      calibrationMethod: calibrationMethod as "minmax" | "percentile",
      activations: activations as "int8" | "uint8",
      percentile,
      samples: positiveInteger("--calibration-samples", values["calibration-samples"], 4096)!,
      steps: positiveInteger("--calibration-steps", values["calibration-steps"], 1000)!,
      seed: nonNegativeInteger("--seed", values.seed ?? "0"),
      schedule: values.schedule,
      json,
    };
    if (options.schedule !== undefined) {
      try {
        parseSchedule(options.schedule);
      } catch (error) {
        throw new UsageError(`--schedule: ${(error as Error).message}`);
      }
    }
    run = () => quantize(options);
  }
  try {
    return await run();
  } catch (error) {
    process.stderr.write(`distillery: ${describeFailure(error)}\n`);
    return error instanceof MissingFileError ? error.exitCode : 1;
  }
}

/** One line: the library's code first when it has one (INVALID_ONNX, …). */
function describeFailure(error: unknown): string {
  const code = (error as { code?: unknown }).code;
  const message = error instanceof Error ? error.message : String(error);
  return typeof code === "string" && /^[A-Z][A-Z_]+$/.test(code) ? `${code}: ${message}` : message;
}

function nonNegativeInteger(flag: string, value: string): number {
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(Number(value))) throw new UsageError(`${flag} must be a whole number, not "${value}"`);
  return Number(value);
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
