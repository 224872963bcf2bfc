import { stat } from "node:fs/promises";
import { extname } from "node:path";
import { parseArgs } from "node:util";
import { positiveInteger } from "../cli/arguments";
import type { Command } from "../cli/command";
import { CONNECTION_OPTIONS, connect } from "../cli/connection";
import { CliError, ExitCode, UsageError } from "../cli/exit-codes";
import { formatBytes } from "@distillery/domain";
import { printJson } from "../cli/output";
import { SET_ALIAS } from "../registry/alias-operations";
import { CREATE_MODEL } from "../registry/model-operations";
import { parseParentSpec } from "../registry/parent-spec";
import { quantizationMethodOf } from "../registry/quantization-method";
import { aliasArgument, formatArgument, modelNameArgument, precisionArgument, roleArgument } from "../registry/registry-arguments";
import { checkPush } from "../registry/push-preflight";
import { REGISTER_MODEL_VERSION } from "../registry/version-operations";
import type { ModelFormat } from "../registry/version-record";
import { interruptible } from "../transfer/interrupt";
import { modelFileFacts } from "../transfer/model-file-facts";
import { sha256File } from "../transfer/sha256-file";
import { uploadBlob } from "../transfer/upload-blob";

/** The format a file's extension means, when --format is not given. */
const FORMAT_BY_EXTENSION: Readonly<Record<string, ModelFormat>> = { ".onnx": "ONNX", ".pt": "TORCH", ".pth": "TORCH", ".ckpt": "TORCH", ".safetensors": "TORCH" };

/**
 * `distillery push FILE --model NAME`: hashes the file, uploads it unless the API has those bytes,
 * creates the model when it is new, registers the next version (with its parents) and optionally
 * moves an alias to it. Every check that can fail is made before the upload: a refused push
 * wastes no gigabyte. stdout is the new ref (student@v4), or the whole record with --json.
 */
export const pushCommand: Command = {
  name: "push",
  usage: `push <file> --model <name> [--role teacher|student|extractor] [--precision fp32|fp16|int8]
            [--parent REF:RELATION]... [--alias A] [--json]
            upload a model file (skipped when the API has its digest) and register it as the next
            version of <name>; prints its ref (e.g. student@v4)
            --role r             creates <name> when it does not exist yet (needed then)
            --family f, --description d   for a new model
            --precision p        default: read from an .onnx file up to 256 MiB
            --format onnx|torch  default: from the extension
            --params n           parameter count (default: read from an .onnx file)
            --parent REF:RELATION   e.g. fm-teacher@v2:distilled_from; relations distilled_from,
                                 exported_from, finetuned_from, quantized_from; repeatable
            --alias A            point alias A at the new version (e.g. production)
            --metadata JSON      a JSON object stored with the version`,
  async run(argv) {
    const { values, positionals } = parseArgs({
      args: argv,
      options: {
        ...CONNECTION_OPTIONS,
        model: { type: "string" },
        role: { type: "string" },
        family: { type: "string" },
        description: { type: "string" },
        precision: { type: "string" },
        format: { type: "string" },
        params: { type: "string" },
        parent: { type: "string", multiple: true },
        alias: { type: "string" },
        metadata: { type: "string" },
        json: { type: "boolean", default: false },
      },
      allowPositionals: true,
      strict: true,
    });
    if (positionals.length !== 1) throw new UsageError(positionals.length === 0 ? "push needs a <file>" : `unexpected argument "${positionals[1]}"`);
    const path = positionals[0]!;
    if (values.model === undefined) throw new UsageError("push needs --model <name>");
    const modelName = modelNameArgument(values.model);
    const role = roleArgument(values.role);
    let precision = precisionArgument(values.precision);
    const params = values.params === undefined ? undefined : positiveInteger("--params", values.params);
    const parents = (values.parent ?? []).map(parseParentSpec);
    const alias = values.alias === undefined ? undefined : aliasArgument(values.alias);
    const metadata = metadataArgument(values.metadata);
    const info = await stat(path).catch((error: NodeJS.ErrnoException) => {
      if (error.code === "ENOENT") throw new CliError(`${path}: no such file`, ExitCode.NOT_FOUND);
      throw error;
    });
    if (!info.isFile()) throw new UsageError(`${path} is not a file`);
    const format = values.format === undefined ? FORMAT_BY_EXTENSION[extname(path).toLowerCase()] : formatArgument(values.format);
    if (!format) throw new UsageError(`cannot tell the format of ${path} from its extension: give --format onnx or --format torch`);

    const connection = await connect(values);
    const say = (line: string) => process.stderr.write(`${line}\n`);
    const existing = await checkPush(connection, modelName, role, parents.map((parent) => parent.ref));
    if (existing && role && existing.role !== role) say(`${modelName} exists as a ${existing.role.toLowerCase()}: --role ${values.role} is not applied`);

    return interruptible(async (signal) => {
      // What the file says about itself first: a missing precision is found before a gigabyte is hashed.
      // Told everything a file could say, it is not parsed at all.
      const facts = precision !== undefined && params !== undefined ? {} : await modelFileFacts(path, info.size, format);
      precision ??= facts.precision;
      if (precision === undefined) throw new UsageError(`give --precision: the precision of ${path} cannot be read (${facts.unread})`);
      if (facts.unread && values.precision === undefined) say(`${path}: ${facts.unread}`);
      const { hex, size } = await sha256File(path, signal);
      // The quantizer's record, unless --metadata says otherwise; its method goes on a QUANTIZED_FROM edge too, where pull --method looks.
      const versionMetadata = { ...(facts.quantization ? { quantization: facts.quantization } : {}), ...metadata };
      const method = quantizationMethodOf({ metadata: versionMetadata });

      const upload = await uploadBlob(connection, hex, path, signal);
      say(
        upload.uploaded
          ? `uploaded ${formatBytes(size)} in ${upload.seconds.toFixed(1)} s, sha256:${hex}`
          : `sha256:${hex} (${formatBytes(size)}) is already on the server, not uploaded`,
      );
      if (!existing) {
        await connection.graphql.request(CREATE_MODEL, { input: { name: modelName, role: role!, family: values.family ?? "", description: values.description ?? "" } });
        say(`created model ${modelName} (${role!.toLowerCase()})`);
      }
      const { registerModelVersion: version } = await connection.graphql.request(REGISTER_MODEL_VERSION, {
        input: {
          model: modelName,
          digest: `sha256:${hex}`,
          format,
          precision,
          params: params ?? (facts.params || null),
          metadata: versionMetadata,
          parents: parents.map((parent) => ({ ...parent, recipe: parent.relation === "QUANTIZED_FROM" && method ? { method } : {} })),
        },
      });
      say(`registered ${version.ref} (${version.precision.toLowerCase()}, ${formatBytes(version.sizeBytes)})`);
      if (alias !== undefined) {
        await connection.graphql.request(SET_ALIAS, { input: { model: modelName, alias, version: version.version } });
        say(`${modelName}@${alias} -> v${version.version}`);
      }
      if (values.json) {
        const aliases = new Set([...version.aliases.map((existingAlias) => existingAlias.name), ...(alias === undefined ? [] : [alias])]);
        printJson({ ...version, aliases: [...aliases], uploaded: upload.uploaded, createdModel: !existing });
      } else process.stdout.write(`${version.ref}\n`);
      return ExitCode.OK;
    });
  },
};

/** `--metadata '{"dataset": "fashion-mnist"}'`: a JSON object, or exit status 2. */
function metadataArgument(value: string | undefined): Record<string, unknown> {
  if (value === undefined) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch (error) {
    throw new UsageError(`--metadata is not JSON: ${(error as Error).message}`);
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) throw new UsageError("--metadata must be a JSON object");
  return parsed as Record<string, unknown>;
}
