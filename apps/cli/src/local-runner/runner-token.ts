import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { defineOperation, GraphQLClient } from "@distillery/client";

const CREATE_RUNNER_TOKEN = defineOperation<{ createApiToken: { token: string } }, { input: { name: string; scopes: string[] } }>(
  "CreateRunnerToken",
  `mutation CreateRunnerToken($input: CreateApiTokenInput!) { createApiToken(input: $input) { token } }`,
);

/**
 * The local runner's token: `<data-dir>/runner-token`, minted once with the admin token (RUNNER
 * scope only) and kept like the admin token, readable by the owner alone. Undefined, with the
 * reason, when there is no admin token to mint it with (a database set up elsewhere).
 */
export async function ensureRunnerToken(apiUrl: string, dataDir: string): Promise<{ token: string } | { missing: string }> {
  const tokenPath = join(dataDir, "runner-token");
  const saved = await readTrimmed(tokenPath);
  if (saved) return { token: saved };
  const adminPath = join(dataDir, "admin-token");
  const admin = await readTrimmed(adminPath);
  if (!admin) return { missing: `no ${adminPath} to create the runner's token with` };
  const data = await new GraphQLClient(apiUrl, admin).request(CREATE_RUNNER_TOKEN, { input: { name: "local-runner", scopes: ["RUNNER"] } });
  const token = data.createApiToken.token;
  await writeFile(tokenPath, `${token}\n`, { mode: 0o600, flag: "wx" });
  return { token };
}

async function readTrimmed(path: string): Promise<string | undefined> {
  try {
    return (await readFile(path, "utf8")).trim() || undefined;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
}
