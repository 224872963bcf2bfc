import { readFile } from "node:fs/promises";

/** A file named on the command line that is not there: exit status 4 (not found), as for unknown refs. */
export class MissingFileError extends Error {
  readonly exitCode = 4;
}

export async function readInputFile(path: string): Promise<Uint8Array> {
  try {
    return new Uint8Array(await readFile(path));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") throw new MissingFileError(`${path}: no such file`);
    throw error;
  }
}
