import { parseArgs } from "node:util";
import { expectPositionals } from "../cli/arguments";
import type { Command } from "../cli/command";
import { CONNECTION_OPTIONS, connect } from "../cli/connection";
import { ExitCode } from "../cli/exit-codes";
import { formatBytes } from "@distillery/domain";
import { formatTime, printJson, renderTable } from "../cli/output";
import { allPages, PAGE_SIZE } from "../registry/all-pages";
import { modelNameArgument } from "../registry/registry-arguments";
import { MODEL_VERSIONS } from "../registry/version-operations";
import type { VersionRecord } from "../registry/version-record";

/** `distillery versions NAME`: every version of one model, newest first. */
export const versionsCommand: Command = {
  name: "versions",
  usage: `versions <name> [--json]
            every version of a model, newest first: precision, format, parameters, size, status,
            aliases and what it was made from`,
  async run(argv) {
    const { values, positionals } = parseArgs({ args: argv, options: { ...CONNECTION_OPTIONS, json: { type: "boolean", default: false } }, allowPositionals: true, strict: true });
    const [name] = expectPositionals("versions", positionals, ["name"]);
    const model = modelNameArgument(name!);
    const { graphql } = await connect(values);
    const versions = await allPages(async (after) => (await graphql.request(MODEL_VERSIONS, { name: model, first: PAGE_SIZE, after })).model.versions);

    if (values.json) {
      printJson(
        versions.map(({ model: _model, aliases, parents, ...version }) => ({
          ...version,
          aliases: aliases.map((alias) => alias.name),
          parents: parents.map((parent) => ({ ref: parent.version.ref, relation: parent.relation, recipe: parent.recipe })),
        })),
      );
      return ExitCode.OK;
    }
    process.stdout.write(
      renderTable<VersionRecord>(versions, [
        { header: "version", value: (version) => `v${version.version}` },
        { header: "precision", value: (version) => version.precision.toLowerCase() },
        { header: "format", value: (version) => version.format.toLowerCase() },
        { header: "params", value: (version) => (version.params === null ? undefined : compactCount(version.params)), align: "right" },
        { header: "size", value: (version) => formatBytes(version.sizeBytes), align: "right" },
        { header: "status", value: (version) => version.status.toLowerCase() },
        { header: "aliases", value: (version) => version.aliases.map((alias) => alias.name).join(",") },
        { header: "parent", value: (version) => version.parents.map((parent) => `${parent.version.ref}:${parent.relation.toLowerCase()}`).join(",") },
        { header: "created", value: (version) => formatTime(version.createdAt) },
      ]),
    );
    return ExitCode.OK;
  },
};

/** 860K, 12.3M, 1.1B: a parameter count at a glance (--json has the exact number). */
function compactCount(count: number): string {
  if (count < 1000) return String(count);
  const [divisor, unit] = count >= 1e9 ? [1e9, "B"] : count >= 1e6 ? [1e6, "M"] : [1e3, "K"];
  const scaled = count / divisor;
  return `${scaled >= 100 ? scaled.toFixed(0) : scaled.toFixed(1)}${unit}`;
}
