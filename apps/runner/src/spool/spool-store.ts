import { mkdir, open, readFile, readdir, rename, rmdir, unlink } from "node:fs/promises";
import { join } from "node:path";
import { SerialQueue } from "./serial-queue";
import type { SpoolEntry, SpoolRef } from "./spool-entry";

const ENTRY_FILE = /^(\d+)\.json$/;
/** Job ids come from the API: only plain names become directories. */
const SAFE_NAME = /^[A-Za-z0-9_-]{1,128}$/;

/**
 * The spool on disk: `<root>/<jobId>/<seq>.json`. A write is durable when it resolves: written
 * to a temporary name, fsynced, renamed, and the directory fsynced, so a crash leaves either the
 * whole entry or none. Writes and removals run one at a time, so removing a job's last entry
 * (and its now empty directory) cannot race a new entry for the same job.
 */
export class SpoolStore {
  private readonly serial = new SerialQueue();

  constructor(readonly root: string) {}

  /** Every entry a previous process left, oldest first; half-written temporaries are deleted. */
  async load(): Promise<SpoolRef[]> {
    await mkdir(this.root, { recursive: true });
    const refs: SpoolRef[] = [];
    for (const jobId of await readdir(this.root)) {
      if (!SAFE_NAME.test(jobId)) continue;
      const dir = join(this.root, jobId);
      const files = await readdir(dir).catch(() => [] as string[]);
      for (const file of files) {
        const match = ENTRY_FILE.exec(file);
        if (match) refs.push({ seq: Number(match[1]), jobId });
        else if (file.endsWith(".tmp")) await unlink(join(dir, file)).catch(() => undefined);
      }
      if (files.length === 0) await rmdir(dir).catch(() => undefined);
    }
    return refs.sort((a, b) => a.seq - b.seq);
  }

  write(entry: SpoolEntry): Promise<void> {
    if (!SAFE_NAME.test(entry.jobId)) return Promise.reject(new Error(`refusing to spool for job id "${entry.jobId}"`));
    return this.serial.run(async () => {
      const dir = join(this.root, entry.jobId);
      await mkdir(dir, { recursive: true });
      const path = this.pathOf(entry);
      const temporary = `${path}.tmp`;
      const file = await open(temporary, "w", 0o600);
      try {
        await file.writeFile(JSON.stringify(entry));
        await file.sync();
      } finally {
        await file.close();
      }
      await rename(temporary, path);
      await syncDirectory(dir);
    });
  }

  async read(ref: SpoolRef): Promise<SpoolEntry> {
    return JSON.parse(await readFile(this.pathOf(ref), "utf8")) as SpoolEntry;
  }

  /** Deletes a delivered entry, and its job directory once empty. */
  remove(ref: SpoolRef): Promise<void> {
    return this.serial.run(async () => {
      await unlink(this.pathOf(ref)).catch(ignoreMissing);
      await rmdir(join(this.root, ref.jobId)).catch(() => undefined);
    });
  }

  pathOf(ref: SpoolRef): string {
    return join(this.root, ref.jobId, `${String(ref.seq).padStart(12, "0")}.json`);
  }
}

/** Makes the rename itself durable. Not every file system allows it; the data is synced already. */
async function syncDirectory(dir: string): Promise<void> {
  try {
    const handle = await open(dir, "r");
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {
    // best effort
  }
}

function ignoreMissing(error: NodeJS.ErrnoException): void {
  if (error.code !== "ENOENT") throw error;
}
