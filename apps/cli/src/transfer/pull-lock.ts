import type { ApiError } from "@distillery/client";
import { CliError, ExitCode } from "../cli/exit-codes";
import type { VersionRecord } from "../registry/version-record";
import { type LockEntry, readLockfile } from "./lockfile";

/** The lockfile a pull records to (or, with --frozen, is held to), and the command that updates it (named in every refusal). */
export interface PullLock {
  lockPath: string;
  /** The lockfile's key: student@production#int8 */
  key: string;
  /** What was asked for, for messages: student@production (int8) */
  request: string;
  /** The same pull without --frozen: what updates the lock deliberately. */
  unfrozenCommand: string;
}

/** The entry `--frozen` pulls; no lockfile, or no entry for this ref and variant, is exit status 6. */
export async function lockedEntry(pull: PullLock): Promise<LockEntry> {
  const lock = await readLockfile(pull.lockPath);
  if (!lock) throw new CliError(`${pull.lockPath} does not exist: run ${pull.unfrozenCommand} (without --frozen) to write it, and commit it`, ExitCode.LOCKFILE_MISMATCH);
  const entry = lock.models[pull.key];
  if (!entry) throw new CliError(`${pull.lockPath} has no entry "${pull.key}": run ${pull.unfrozenCommand} (without --frozen) to add it, and commit it`, ExitCode.LOCKFILE_MISMATCH);
  return entry;
}

/** The ref resolves elsewhere now (an alias moved, a newer variant): exit status 6 naming both versions, before anything is downloaded. */
export function assertStillLocked(pull: PullLock, entry: LockEntry, version: Pick<VersionRecord, "ref" | "digest">): void {
  if (entry.resolved === version.ref && entry.digest === version.digest) return;
  const short = (digest: string) => `${digest.slice(0, "sha256:".length + 12)}…`;
  throw new CliError(
    `${pull.request} now resolves to ${version.ref} (${short(version.digest)}), but ${pull.lockPath} locks ${entry.resolved} (${short(entry.digest)}); nothing was downloaded. ` +
      `To take ${version.ref}: run ${pull.unfrozenCommand} (without --frozen) and commit ${pull.lockPath}`,
    ExitCode.LOCKFILE_MISMATCH,
  );
}

/**
 * --frozen, and the ref resolves to nothing any more (the alias now points at a version without
 * the locked variant, or was removed): the lock no longer matches the registry, which is what the
 * user must hear (exit 6), not a bare "not found".
 */
export function lockedRefGone(pull: PullLock, entry: LockEntry, error: ApiError): CliError {
  return new CliError(
    `${pull.request} no longer resolves (${error.reason}: ${error.message.replace(/^[A-Z][A-Za-z]+: /, "")}), but ${pull.lockPath} locks ${entry.resolved}; nothing was downloaded. ` +
      `Point the alias back, or pin the version: distillery pull ${entry.resolved} … --lock ${pull.lockPath}`,
    ExitCode.LOCKFILE_MISMATCH,
  );
}
