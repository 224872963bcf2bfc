import { parseArgs } from "node:util";
import type { Command } from "../cli/command";
import { CONNECTION_OPTIONS, connect } from "../cli/connection";
import { ExitCode, UsageError } from "../cli/exit-codes";
import { formatTime, printJson, renderTable } from "../cli/output";
import { allPages, PAGE_SIZE } from "../registry/all-pages";
import { MODELS, type ModelSummary } from "../registry/model-operations";
import { roleArgument } from "../registry/registry-arguments";

/** `distillery models`: every model, by name, however many pages that takes. */
export const modelsCommand: Command = {
  name: "models",
  usage: `models [--role teacher|student|extractor] [--json]
            every registered model: role, family, number of versions, aliases, last change`,
  async run(argv) {
    const { values, positionals } = parseArgs({
      args: argv,
      options: { ...CONNECTION_OPTIONS, role: { type: "string" }, json: { type: "boolean", default: false } },
      allowPositionals: true,
      strict: true,
    });
    if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}" (for one model's versions: distillery versions <name>)`);
    const role = roleArgument(values.role);
    const { graphql } = await connect(values);
    const models = await allPages(async (after) => (await graphql.request(MODELS, { first: PAGE_SIZE, after, filter: role ? { role } : {} })).models);

    if (values.json) {
      printJson(
        models.map((model) => ({
          name: model.name,
          role: model.role,
          family: model.family,
          description: model.description,
          tags: model.tags,
          versions: model.versions.totalCount,
          aliases: Object.fromEntries(model.aliases.map((alias) => [alias.name, alias.version.version])),
          createdAt: model.createdAt,
          updatedAt: model.updatedAt,
        })),
      );
      return ExitCode.OK;
    }
    process.stdout.write(
      renderTable<ModelSummary>(models, [
        { header: "name", value: (model) => model.name },
        { header: "role", value: (model) => model.role.toLowerCase() },
        { header: "family", value: (model) => model.family },
        { header: "versions", value: (model) => model.versions.totalCount, align: "right" },
        { header: "aliases", value: (model) => model.aliases.map((alias) => `${alias.name}=v${alias.version.version}`).join(",") },
        { header: "updated", value: (model) => formatTime(model.updatedAt) },
      ]),
    );
    return ExitCode.OK;
  },
};
