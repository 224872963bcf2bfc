import { readFile } from "node:fs/promises";
import { CliError, ExitCode } from "../cli/exit-codes";
import type { Int8Method } from "../registry/quantization-method";
import type { Precision } from "../registry/version-record";
import { writeFileAtomically } from "./atomic-write";

export const LOCKFILE_VERSION = 1;

/** What one `pull` resolved to: the request (ref, precision, method) and the exact bytes it got. */
export interface LockEntry {
  /** As asked for: student@production */
  ref: string;
  /** Of the version it resolved to, lower-case: int8 */
  precision: string;
  /** int8-dynamic or int8-static, when asked for or recorded on the version. */
  method?: string;
  /** The version: student@v3 */
  resolved: string;
  /** sha256:<hex> */
  digest: string;
  sizeBytes: number;
  format: string;
}

/** distillery.lock: committed, reviewed in diffs, so stable key order and one field per line. */
export interface Lockfile {
  lockfileVersion: typeof LOCKFILE_VERSION;
  models: Record<string, LockEntry>;
}

/** One entry per ref and variant asked for: `student@production`, `student@production#int8`, `student@production#int8:int8-static`. */
export function lockKey(ref: string, precision: Precision | undefined, method: Int8Method | undefined): string {
  if (method !== undefined) return `${ref}#int8:${method}`;
  return precision === undefined ? ref : `${ref}#${precision.toLowerCase()}`;
}

/** The lockfile, or undefined when there is none yet. One that cannot be read as a lockfile is exit status 6. */
export async function readLockfile(path: string): Promise<Lockfile | undefined> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new CliError(`${path} is not JSON (${(error as Error).message}): fix or delete it, then pull without --frozen to write it again`, ExitCode.LOCKFILE_MISMATCH);
  }
  const lock = parsed as Partial<Lockfile> | null;
  if (lock?.lockfileVersion !== LOCKFILE_VERSION) {
    throw new CliError(`${path} has lockfileVersion ${JSON.stringify(lock?.lockfileVersion)}; this distillery reads version ${LOCKFILE_VERSION}`, ExitCode.LOCKFILE_MISMATCH);
  }
  const models = lock.models;
  if (typeof models !== "object" || models === null || Array.isArray(models)) throw new CliError(`${path} has no "models" object`, ExitCode.LOCKFILE_MISMATCH);
  for (const [key, entry] of Object.entries(models)) {
    const valid = typeof entry?.resolved === "string" && typeof entry.digest === "string" && /^sha256:[0-9a-f]{64}$/.test(entry.digest) && Number.isSafeInteger(entry.sizeBytes);
    if (!valid) throw new CliError(`${path}: the entry "${key}" needs resolved, digest (sha256:<hex>) and sizeBytes`, ExitCode.LOCKFILE_MISMATCH);
  }
  return { lockfileVersion: LOCKFILE_VERSION, models };
}

/** Keys sorted, fields in one order, two-space indent, a final newline: the same lock is the same text. */
export function lockfileText(lock: Lockfile): string {
  const models = Object.fromEntries(
    Object.keys(lock.models)
      .sort()
      .map((key) => {
        const entry = lock.models[key]!;
        const ordered: LockEntry = {
          ref: entry.ref,
          precision: entry.precision,
          ...(entry.method === undefined ? {} : { method: entry.method }),
          resolved: entry.resolved,
          digest: entry.digest,
          sizeBytes: entry.sizeBytes,
          format: entry.format,
        };
        return [key, ordered];
      }),
  );
  return `${JSON.stringify({ lockfileVersion: LOCKFILE_VERSION, models }, null, 2)}\n`;
}

/** Sets one entry and writes the file atomically; resolves to false when nothing changed (the file is not touched). */
export async function recordInLockfile(path: string, key: string, entry: LockEntry): Promise<boolean> {
  const lock = (await readLockfile(path)) ?? { lockfileVersion: LOCKFILE_VERSION, models: {} };
  const before = lockfileText(lock);
  const after = lockfileText({ ...lock, models: { ...lock.models, [key]: entry } });
  if (after === before) return false;
  await writeFileAtomically(path, after);
  return true;
}
