import { existsSync } from "node:fs";
import { dirname, join } from "node:path";

/**
 * The monorepo's root (the folder with turbo.json), found from this file: the same whether the
 * support code runs from source under vitest or compiled into tests/dist for a benchmark.
 */
export const REPO_ROOT = ((): string => {
  for (let dir = __dirname; dir !== dirname(dir); dir = dirname(dir)) if (existsSync(join(dir, "turbo.json"))) return dir;
  throw new Error(`no turbo.json above ${__dirname}`);
})();
