import { randomBytes } from "node:crypto";
import { chmod, mkdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { homedir } from "node:os";
import { join } from "node:path";

/** What `distillery login` saves: the API and the token to use with it. */
export interface SavedLogin {
  api: string;
  token: string;
}

/**
 * $DISTILLERY_CONFIG_DIR, else $XDG_CONFIG_HOME/distillery, else ~/.config/distillery. The token
 * is a secret: the directory is 0700 and the file 0600, as gh and the AWS CLI keep theirs.
 */
export function configDirectory(env: NodeJS.ProcessEnv = process.env): string {
  if (env.DISTILLERY_CONFIG_DIR) return env.DISTILLERY_CONFIG_DIR;
  return join(env.XDG_CONFIG_HOME || join(homedir(), ".config"), "distillery");
}

export function configPath(env: NodeJS.ProcessEnv = process.env): string {
  return join(configDirectory(env), "config.json");
}

export async function readSavedLogin(env: NodeJS.ProcessEnv = process.env): Promise<SavedLogin | undefined> {
  const path = configPath(env);
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw new Error(`cannot read ${path}: ${(error as Error).message}`);
  }
  let saved: Partial<SavedLogin>;
  try {
    saved = JSON.parse(text) as Partial<SavedLogin>;
  } catch {
    throw new Error(`${path} is not JSON: run distillery login again`);
  }
  if (typeof saved.api !== "string" || typeof saved.token !== "string") throw new Error(`${path} has no api and token: run distillery login again`);
  return { api: saved.api, token: saved.token };
}

/** Written under a temporary name with mode 0600 and renamed: never a half-written or readable secret. */
export async function saveLogin(login: SavedLogin, env: NodeJS.ProcessEnv = process.env): Promise<string> {
  const directory = configDirectory(env);
  await mkdir(directory, { recursive: true, mode: 0o700 });
  const path = configPath(env);
  const temporary = `${path}.${process.pid}-${randomBytes(4).toString("hex")}.tmp`;
  try {
    await writeFile(temporary, `${JSON.stringify(login, null, 2)}\n`, { mode: 0o600, flag: "wx" });
    await chmod(temporary, 0o600); // a umask cannot widen it, but an odd filesystem might
    await rename(temporary, path);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
  return path;
}
