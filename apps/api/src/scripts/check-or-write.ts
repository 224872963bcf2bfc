import { readFile, writeFile } from "node:fs/promises";

/**
 * `--write` regenerates a committed file; without it, exits 1 when the file is stale.
 * Used by `npm run generate` and by tests that keep committed artifacts honest.
 */
export async function checkOrWrite(path: string, content: string, regenerateWith: string): Promise<void> {
  if (process.argv.includes("--write")) {
    await writeFile(path, content);
    console.log(`wrote ${path}`);
    return;
  }
  const committed = await readFile(path, "utf8").catch(() => "");
  if (committed !== content) {
    console.error(`${path} is stale: run ${regenerateWith} and commit the result`);
    process.exit(1);
  }
  console.log(`${path} is current`);
}
