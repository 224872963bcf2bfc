import { existsSync, statSync } from "node:fs";
import { mkdtemp, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { defineOperation } from "@distillery/client";
import { hasScope, Scope, validateModelName } from "@distillery/domain";
import { positiveInteger } from "../cli/arguments";
import type { Command } from "../cli/command";
import { CONNECTION_OPTIONS, connect } from "../cli/connection";
import { CliError, ExitCode, UsageError } from "../cli/exit-codes";
import { exportDataset } from "../datasets/export-dataset";

const NAMED_SOURCES = ["fashion-mnist", "synthetic"] as const;

const ME = defineOperation<{ me: { name: string; scopes: Scope[] } }, Record<string, never>>("Me", `query Me { me { name scopes } }`);

const REGISTER_DATASET = defineOperation<
  { registerDataset: { ref: string; digest: string } },
  { input: { name: string; digest: string; format: "NPZ"; sampleCount: number; imageShape: number[]; classNames: string[]; description: string } }
>("RegisterDataset", `mutation RegisterDataset($input: RegisterDatasetInput!) { registerDataset(input: $input) { ref digest } }`);

interface Source {
  kind: "fashion-mnist" | "synthetic";
  /** A folder of Fashion-MNIST IDX files, when one was named. */
  path?: string;
}

/**
 * `distillery dataset import <DIR|fashion-mnist|synthetic> --name NAME …`: the trainer exports the
 * images as an npz (into a temporary directory, removed afterwards), the file is streamed to
 * PUT /v1/blobs/sha256/<hex>, and registerDataset makes it the next version of NAME. The new ref
 * goes to stdout, progress to stderr.
 */
export const datasetCommand: Command = {
  name: "dataset",
  aliases: ["datasets"],
  usage: `dataset import <DIR|fashion-mnist|synthetic> --name <name>
            export images with the trainer, upload them, and register them as the next version
            of <name>; prints its ref (e.g. fashion-mnist-train@v1), which specs name as
            {"source": "platform", "ref": "…"}. DIR holds Fashion-MNIST IDX files
            (train-images-idx3-ubyte.gz, …), e.g. Debian's /usr/share/datasets/fashion-mnist
            --split train|test   which IDX files (default train)
            --resolution <n>     image side in pixels (default 16)
            --limit <n>          keep the first n images
            --description <text>`,
  async run(argv) {
    const [subcommand, ...rest] = argv;
    if (subcommand !== "import") throw new UsageError(subcommand ? `unknown dataset command "${subcommand}": use dataset import` : "dataset needs a command: dataset import");
    const { values, positionals } = parseArgs({
      args: rest,
      options: {
        ...CONNECTION_OPTIONS,
        name: { type: "string" },
        split: { type: "string" },
        resolution: { type: "string" },
        limit: { type: "string" },
        description: { type: "string" },
      },
      allowPositionals: true,
      strict: true,
    });
    const [named, ...extra] = positionals;
    if (!named) throw new UsageError(`dataset import needs a folder of IDX files, or ${NAMED_SOURCES.join(" or ")}`);
    if (extra.length > 0) throw new UsageError(`unexpected argument "${extra[0]}"`);
    const source = sourceFrom(named);
    if (!values.name) throw new UsageError("dataset import needs --name <name>");
    try {
      validateModelName(values.name);
    } catch {
      throw new UsageError(`--name "${values.name}" must be 1-100 characters of a-z, 0-9, '.', '_' or '-', starting with a letter or digit`);
    }
    if (values.split !== undefined && source.kind !== "fashion-mnist") throw new UsageError("--split applies to Fashion-MNIST only");
    if (values.split !== undefined && values.split !== "train" && values.split !== "test") throw new UsageError(`--split must be train or test, not "${values.split}"`);
    const resolution = positiveInteger("--resolution", values.resolution, 1024);
    const limit = positiveInteger("--limit", values.limit);

    const connection = await connect(values);
    const progress = (line: string) => process.stderr.write(`${line}\n`);
    // The token first: a minute of exporting is wasted if the API then says no.
    const { me } = await connection.graphql.request(ME, {});
    if (!hasScope(me.scopes, [Scope.WRITE])) {
      throw new CliError(`the token "${me.name}" has ${me.scopes.join(", ") || "no"} scope; registering a dataset needs WRITE`, ExitCode.AUTH);
    }

    // Ctrl-C stops the export and still removes its temporary files.
    const controller = new AbortController();
    const interrupt = () => controller.abort();
    process.once("SIGINT", interrupt);
    process.once("SIGTERM", interrupt);
    const dir = await mkdtemp(join(tmpdir(), "distillery-dataset-"));
    try {
      const described = [source.path, values.split && `${values.split} split`, resolution && `resolution ${resolution}`, limit && `first ${limit}`].filter(Boolean).join(", ");
      progress(`exporting ${source.kind}${described ? ` (${described})` : ""}…`);
      const exported = await exportDataset({
        python: process.env.DISTILLERY_PYTHON || "/usr/bin/python3",
        source: source.kind,
        split: values.split,
        resolution,
        limit,
        path: source.path,
        out: join(dir, `${values.name}.npz`),
        signal: controller.signal,
      }).catch((error: unknown) => {
        if (controller.signal.aborted) throw new CliError("interrupted", ExitCode.INTERRUPTED);
        throw error;
      });
      const { size } = await stat(exported.path);
      const [channels, height, width] = exported.imageShape;
      progress(`exported ${exported.samples} images of ${channels}x${height}x${width}, ${exported.classNames.length} classes: ${size} bytes, sha256:${exported.sha256}`);

      const uploaded = await connection.blobs.put(exported.sha256, exported.path, controller.signal);
      progress(uploaded.created ? `uploaded ${uploaded.sizeBytes} bytes` : "the API had these bytes already");

      const { registerDataset } = await connection.graphql.request(REGISTER_DATASET, {
        input: {
          name: values.name,
          digest: `sha256:${exported.sha256}`,
          format: "NPZ",
          sampleCount: exported.samples,
          imageShape: exported.imageShape,
          classNames: exported.classNames,
          description: values.description ?? describe(source, values.split, resolution, exported.samples),
        },
      });
      process.stdout.write(`${registerDataset.ref}\n`);
      return ExitCode.OK;
    } finally {
      process.off("SIGINT", interrupt);
      process.off("SIGTERM", interrupt);
      await rm(dir, { recursive: true, force: true });
    }
  },
};

/** A named source, or a folder (which must exist: exit status 4 otherwise). */
function sourceFrom(named: string): Source {
  if ((NAMED_SOURCES as readonly string[]).includes(named) && !existsSync(named)) return { kind: named as Source["kind"] };
  const path = resolve(named);
  if (!existsSync(path)) throw new CliError(`${named}: no such folder (or use ${NAMED_SOURCES.join(" or ")})`, ExitCode.NOT_FOUND);
  if (!statSync(path).isDirectory()) throw new UsageError(`${named} is not a folder of Fashion-MNIST IDX files`);
  return { kind: "fashion-mnist", path };
}

/** The default description: where the images came from, as the import was asked for. */
function describe(source: Source, split: string | undefined, resolution: number | undefined, samples: number): string {
  const origin = source.kind === "fashion-mnist" ? `Fashion-MNIST ${split ?? "train"} split${source.path ? ` from ${source.path}` : ""}` : "synthetic patterns";
  return `${origin}, ${samples} images at ${resolution ?? 16}x${resolution ?? 16} (distillery dataset import)`;
}
