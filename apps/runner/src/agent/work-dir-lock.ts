import { readFile, unlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { FatalError } from "./fatal-error";

export interface WorkDirLock {
  release(): Promise<void>;
}

/**
 * One runner per work directory: two would deliver and delete each other's spool entries. The
 * lock is a pid file; a pid that no longer runs (a crash, a SIGKILL) is stale and taken over.
 */
export async function lockWorkDir(workDir: string): Promise<WorkDirLock> {
  const path = join(workDir, "runner.pid");
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      await writeFile(path, `${process.pid}\n`, { flag: "wx" });
      return { release: () => unlink(path).catch(() => undefined) };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    }
    const holder = Number((await readFile(path, "utf8").catch(() => "")).trim());
    if (Number.isSafeInteger(holder) && holder > 0 && holder !== process.pid && isRunning(holder)) {
      throw new FatalError(`another runner (pid ${holder}) uses the work directory ${workDir}; give each runner its own --work-dir (or delete ${path} if pid ${holder} is not a runner)`);
    }
    await unlink(path).catch(() => undefined);
  }
  throw new FatalError(`cannot lock the work directory ${workDir}`);
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}
