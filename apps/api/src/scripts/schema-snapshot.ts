import "reflect-metadata";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { schemaSnapshotPath } from "@distillery/migrations";
import { openDatabase } from "../db/open-database";
import { dumpSchema } from "../db/schema-dump";
import { checkOrWrite } from "./check-or-write";

/** Applies every migration to a scratch embedded database and describes the result. */
async function main(): Promise<void> {
  const dataDir = await mkdtemp(join(tmpdir(), "distillery-schema-"));
  const db = await openDatabase({ databaseUrl: undefined, dataDir });
  try {
    await checkOrWrite(schemaSnapshotPath, await dumpSchema(db.dataSource), "npm run generate");
  } finally {
    await db.close();
    await rm(dataDir, { recursive: true, force: true });
  }
}

void main();
