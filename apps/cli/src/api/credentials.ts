import { readFile } from "node:fs/promises";
import { join, resolve } from "node:path";

export const DEFAULT_API_URL = "http://127.0.0.1:4000";

/** --api, else DISTILLERY_API, else the local API `distillery up` starts. */
export function apiUrlFrom(option: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  return (option || env.DISTILLERY_API || DEFAULT_API_URL).replace(/\/+$/, "");
}

/**
 * --token, else DISTILLERY_TOKEN, else the admin token `distillery up` wrote: $DISTILLERY_DATA_DIR/admin-token,
 * or ./data/admin-token. Throws a one-line explanation when there is none.
 */
export async function tokenFrom(option: string | undefined, env: NodeJS.ProcessEnv = process.env): Promise<string> {
  const given = option?.trim() || env.DISTILLERY_TOKEN?.trim();
  if (given) return given;
  const path = join(resolve(env.DISTILLERY_DATA_DIR || "data"), "admin-token");
  let saved: string | undefined;
  try {
    saved = (await readFile(path, "utf8")).trim();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw new Error(`cannot read ${path}: ${(error as Error).message}`);
  }
  if (saved) return saved;
  throw new Error(`no token: pass --token, set DISTILLERY_TOKEN, or run where ${path} exists (distillery up writes it)`);
}
