import { readFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { BlobClient, GraphQLClient } from "@distillery/client";
import { readSavedLogin } from "./config-file";
import { CliError, ExitCode } from "./exit-codes";

export const DEFAULT_API_URL = "http://127.0.0.1:4000";

/** The flags every command that talks to the API takes. */
export const CONNECTION_OPTIONS = {
  api: { type: "string" },
  token: { type: "string" },
} as const;

export interface ConnectionFlags {
  api?: string | undefined;
  token?: string | undefined;
}

export interface Connection {
  apiUrl: string;
  graphql: GraphQLClient;
  blobs: BlobClient;
  /** Where the token came from, for error messages: "--token", "DISTILLERY_TOKEN", … */
  tokenSource: string;
}

/** --api, else DISTILLERY_API, else the API `distillery login` saved, else the local one `distillery up` starts. */
export async function apiUrlFrom(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): Promise<string> {
  const saved = flag || env.DISTILLERY_API ? undefined : await readSavedLogin(env);
  return normalizeApiUrl(flag || env.DISTILLERY_API || saved?.api || DEFAULT_API_URL);
}

export function normalizeApiUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new CliError(`"${url}" is not a URL (e.g. http://127.0.0.1:4000)`, ExitCode.USAGE);
  }
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:") throw new CliError(`the API URL must be http or https, not "${url}"`, ExitCode.USAGE);
  return url.replace(/\/+$/, "");
}

/**
 * --token, else DISTILLERY_TOKEN, else the token `distillery login` saved for this API, else the
 * admin token `distillery up` wrote ($DISTILLERY_DATA_DIR/admin-token or ./data/admin-token).
 * None of them: exit status 3 with what to do.
 */
export async function tokenFor(apiUrl: string, flag: string | undefined, env: NodeJS.ProcessEnv = process.env): Promise<{ token: string; source: string }> {
  if (flag?.trim()) return { token: flag.trim(), source: "--token" };
  if (env.DISTILLERY_TOKEN?.trim()) return { token: env.DISTILLERY_TOKEN.trim(), source: "DISTILLERY_TOKEN" };
  const saved = await readSavedLogin(env);
  if (saved && normalizeApiUrl(saved.api) === apiUrl) return { token: saved.token, source: "distillery login" };
  const path = join(resolve(env.DISTILLERY_DATA_DIR || "data"), "admin-token");
  let local: string | undefined;
  try {
    local = (await readFile(path, "utf8")).trim();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw new Error(`cannot read ${path}: ${(error as Error).message}`);
  }
  if (local) return { token: local, source: path };
  throw new CliError(`no token for ${apiUrl}: run distillery login --api ${apiUrl}, set DISTILLERY_TOKEN, or pass --token`, ExitCode.AUTH);
}

export async function connect(flags: ConnectionFlags, env: NodeJS.ProcessEnv = process.env): Promise<Connection> {
  const apiUrl = await apiUrlFrom(flags.api, env);
  const { token, source } = await tokenFor(apiUrl, flags.token, env);
  const authorization = `Bearer ${token}`;
  return { apiUrl, graphql: new GraphQLClient(apiUrl, token), blobs: new BlobClient(apiUrl, () => authorization), tokenSource: source };
}
