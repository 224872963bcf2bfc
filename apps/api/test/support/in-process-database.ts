import "reflect-metadata";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Database } from "../../src/db/database";
import { openDatabase } from "../../src/db/open-database";
import { createTestDatabase } from "./test-database";

/** The API's Database in this process, migrated, on PGlite or a fresh PostgreSQL database. */
export async function openTestDatabase(): Promise<{ db: Database; dispose(): Promise<void> }> {
  const dataDir = await mkdtemp(join(tmpdir(), "distillery-db-"));
  const target = await createTestDatabase();
  const db = await openDatabase({ databaseUrl: target.url, dataDir });
  return {
    db,
    async dispose() {
      await db.close();
      await target.drop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
