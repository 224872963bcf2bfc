import { parseArgs } from "node:util";
import { defineOperation, GraphQLClient } from "@distillery/client";
import { expectPositionals } from "../cli/arguments";
import type { Command } from "../cli/command";
import { saveLogin } from "../cli/config-file";
import { apiUrlFrom } from "../cli/connection";
import { ExitCode } from "../cli/exit-codes";
import { readLoginToken } from "./login-token";

export interface TokenIdentity {
  name: string;
  owner: string;
  scopes: string[];
  prefix: string;
  expiresAt: string | null;
}

export const ME = defineOperation<{ me: TokenIdentity }, Record<string, never>>("Me", `query Me { me { name owner scopes prefix expiresAt } }`);

/**
 * `distillery login --api URL`: the token is checked with the API (`me`) before anything is
 * written, so a wrong one leaves the saved login as it was (exit 3).
 */
export const loginCommand: Command = {
  name: "login",
  usage: `login --api <url> [--token-stdin]
            check a token with the API, then save both (mode 0600) in $DISTILLERY_CONFIG_DIR,
            else $XDG_CONFIG_HOME/distillery, else ~/.config/distillery, for later commands.
            The token: the first line of stdin when it is piped, else DISTILLERY_TOKEN, else
            typed at a prompt (not echoed). A token the API refuses saves nothing (exit 3)
            --token-stdin        read stdin even when DISTILLERY_TOKEN is set`,
  async run(argv) {
    const { values, positionals } = parseArgs({ args: argv, options: { api: { type: "string" }, "token-stdin": { type: "boolean" } }, allowPositionals: true, strict: true });
    expectPositionals("login", positionals, []);
    const apiUrl = await apiUrlFrom(values.api);
    const { token } = await readLoginToken({ fromStdin: values["token-stdin"] === true });
    const { me } = await new GraphQLClient(apiUrl, token).request(ME, {});
    const path = await saveLogin({ api: apiUrl, token });
    process.stdout.write(`Logged in to ${apiUrl} as ${me.name} (owner ${me.owner}, scopes ${me.scopes.join(", ")}); saved to ${path}\n`);
    return ExitCode.OK;
  },
};
