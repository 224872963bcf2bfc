import { parseArgs } from "node:util";
import { expectPositionals } from "../cli/arguments";
import type { Command } from "../cli/command";
import { CONNECTION_OPTIONS, connect } from "../cli/connection";
import { ExitCode, UsageError } from "../cli/exit-codes";
import { DELETE_ALIAS, SET_ALIAS } from "../registry/alias-operations";
import { MODEL } from "../registry/model-operations";
import { aliasArgument, modelNameArgument, versionArgument } from "../registry/registry-arguments";

/**
 * `distillery alias set NAME ALIAS VERSION` and `alias rm NAME ALIAS`: move or remove a name like
 * production. The line on stdout says where the alias pointed before, for the deploy log.
 */
export const aliasCommand: Command = {
  name: "alias",
  aliases: ["aliases"],
  usage: `alias set <name> <alias> <version>   point <alias> of model <name> at a version (3 or v3)
  alias rm <name> <alias>              remove the alias (its history stays)`,
  async run(argv) {
    const [subcommand, ...rest] = argv;
    if (subcommand !== "set" && subcommand !== "rm") {
      throw new UsageError(subcommand ? `unknown alias command "${subcommand}": use alias set or alias rm` : "alias needs a command: alias set or alias rm");
    }
    const { values, positionals } = parseArgs({ args: rest, options: { ...CONNECTION_OPTIONS }, allowPositionals: true, strict: true });
    const names = subcommand === "set" ? ["name", "alias", "version"] : ["name", "alias"];
    const [nameArgument, aliasName, versionText] = expectPositionals(`alias ${subcommand}`, positionals, names);
    const model = modelNameArgument(nameArgument!);
    const alias = aliasArgument(aliasName!);
    const version = versionText === undefined ? undefined : versionArgument(versionText);
    const { graphql } = await connect(values);
    // Where it points now: the model's aliases (an unknown model is exit status 4 here).
    const before = (await graphql.request(MODEL, { name: model })).model.aliases.find((candidate) => candidate.name === alias)?.version.version;

    if (version === undefined) {
      await graphql.request(DELETE_ALIAS, { model, alias });
      process.stdout.write(`removed ${model}@${alias}${before === undefined ? "" : ` (was v${before})`}\n`);
      return ExitCode.OK;
    }
    const { setAlias } = await graphql.request(SET_ALIAS, { input: { model, alias, version } });
    const change = before === undefined ? "new" : before === setAlias.version.version ? "unchanged" : `was v${before}`;
    process.stdout.write(`${model}@${alias} -> v${setAlias.version.version} (${change})\n`);
    return ExitCode.OK;
  },
};
