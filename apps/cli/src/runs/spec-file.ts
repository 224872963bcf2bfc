import { readFile } from "node:fs/promises";
import { extname } from "node:path";
import { parse as parseYaml } from "yaml";
import { ExperimentKind } from "@distillery/domain";
import { CliError, ExitCode, UsageError } from "../cli/exit-codes";

/** What a spec file holds: exactly CreateExperimentInput. */
export interface ExperimentInput {
  name: string;
  kind: ExperimentKind;
  spec: Record<string, unknown>;
  tags: string[];
}

const KEYS = new Set(["name", "kind", "spec", "tags"]);

/**
 * Reads `{ name, kind, tags?, spec }` from .json, .yaml or .yml and checks its shape: a file that
 * is not even that is a usage error (exit 2). What the spec itself must hold is the API's to say.
 */
export async function readSpecFile(path: string): Promise<ExperimentInput> {
  const extension = extname(path).toLowerCase();
  if (![".json", ".yaml", ".yml"].includes(extension)) throw new UsageError(`${path}: a spec file ends in .json, .yaml or .yml`);
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") throw new CliError(`${path}: no such file`, ExitCode.NOT_FOUND);
    throw new CliError(`cannot read ${path}: ${(error as Error).message}`, ExitCode.FAILED);
  }
  let parsed: unknown;
  try {
    parsed = extension === ".json" ? JSON.parse(text) : parseYaml(text);
  } catch (error) {
    throw new UsageError(`${path} is not valid ${extension === ".json" ? "JSON" : "YAML"}: ${(error as Error).message.split("\n")[0]}`);
  }
  return experimentInputFrom(path, parsed);
}

function experimentInputFrom(path: string, parsed: unknown): ExperimentInput {
  if (!isObject(parsed)) throw new UsageError(`${path} must hold an object with name, kind and spec`);
  const unknownKey = Object.keys(parsed).find((key) => !KEYS.has(key));
  if (unknownKey) throw new UsageError(`${path}: unknown key "${unknownKey}" (a spec file has name, kind, spec and tags)`);
  const { name, kind, spec, tags = [] } = parsed;
  if (typeof name !== "string" || name === "") throw new UsageError(`${path}: "name" must be a non-empty string`);
  const kinds = Object.values(ExperimentKind) as string[];
  const canonicalKind = typeof kind === "string" ? kinds.find((candidate) => candidate === kind.toUpperCase()) : undefined;
  if (!canonicalKind) throw new UsageError(`${path}: "kind" must be one of ${kinds.join(", ")}`);
  if (!isObject(spec)) throw new UsageError(`${path}: "spec" must be an object`);
  if (!Array.isArray(tags) || !tags.every((tag) => typeof tag === "string")) throw new UsageError(`${path}: "tags" must be a list of strings`);
  return { name, kind: canonicalKind as ExperimentKind, spec, tags };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
