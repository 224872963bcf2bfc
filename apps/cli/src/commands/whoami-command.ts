import { parseArgs } from "node:util";
import { expectPositionals } from "../cli/arguments";
import type { Command } from "../cli/command";
import { configPath } from "../cli/config-file";
import { CONNECTION_OPTIONS, connect } from "../cli/connection";
import { ExitCode } from "../cli/exit-codes";
import { printJson } from "../cli/output";
import { ME } from "./login-command";

/** `distillery whoami`: which API, which token, and where that token came from. */
export const whoamiCommand: Command = {
  name: "whoami",
  usage: `whoami [--json]
            the API, the token's name, owner, scopes and expiry, and where the token came from`,
  async run(argv) {
    const { values, positionals } = parseArgs({ args: argv, options: { ...CONNECTION_OPTIONS, json: { type: "boolean" } }, allowPositionals: true, strict: true });
    expectPositionals("whoami", positionals, []);
    const connection = await connect(values);
    const { me } = await connection.graphql.request(ME, {});
    const tokenSource = connection.tokenSource === "distillery login" ? `distillery login (${configPath()})` : connection.tokenSource;
    if (values.json) {
      printJson({ api: connection.apiUrl, tokenSource, token: me });
      return ExitCode.OK;
    }
    const lines = [
      ["API", connection.apiUrl],
      ["Token", `${me.name} (${me.prefix}…)`],
      ["Owner", me.owner],
      ["Scopes", me.scopes.join(", ")],
      ["Expires", me.expiresAt ?? "never"],
      ["From", tokenSource],
    ];
    process.stdout.write(lines.map(([label, value]) => `${label!.padEnd(8)}${value}`).join("\n") + "\n");
    return ExitCode.OK;
  },
};
