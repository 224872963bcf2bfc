import { chmod, readFile, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";

/**
 * Writes fake-python.cjs as an executable "python" into `dir`, with this Node as its
 * interpreter, and returns its path: the runner's --python for trainer tests.
 */
export async function writeFakePython(dir: string): Promise<string> {
  const script = await readFile(resolve(__dirname, "fake-python.cjs"), "utf8");
  const file = join(dir, "fake-python");
  await writeFile(file, `#!${process.execPath}\n${script}`);
  await chmod(file, 0o755);
  return file;
}
