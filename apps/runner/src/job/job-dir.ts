import { mkdir, rm } from "node:fs/promises";
import { join } from "node:path";

const SAFE_NAME = /^[A-Za-z0-9_-]{1,128}$/;

/**
 * `<work-dir>/jobs/<jobId>/attempt-<n>`, emptied first: a step never sees files of an attempt
 * that crashed before it. Earlier attempts' directories stay, for whoever debugs them.
 */
export async function freshJobDir(workDir: string, jobId: string, attempt: number): Promise<string> {
  if (!SAFE_NAME.test(jobId)) throw new Error(`refusing to make a directory for job id "${jobId}"`);
  const dir = join(workDir, "jobs", jobId, `attempt-${attempt}`);
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  return dir;
}
