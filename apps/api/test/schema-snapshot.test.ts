import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { schemaSnapshotPath } from "@distillery/migrations";
import type { Database } from "../src/db/database";
import { dumpSchema } from "../src/db/schema-dump";
import { createEventBus } from "../src/graphql/event-bus";
import { buildGraphQLSchema, printSortedSchema } from "../src/graphql/schema";
import { openTestDatabase } from "./support/in-process-database";
import { databaseKind } from "./support/test-database";

let db: Database;
let dispose: () => Promise<void>;

beforeAll(async () => {
  ({ db, dispose } = await openTestDatabase());
});
afterAll(() => dispose?.());

describe(`committed schemas (${databaseKind})`, () => {
  it("the migrated database matches migrations/schema.snapshot.txt (npm run generate rewrites it)", async () => {
    expect(await dumpSchema(db.dataSource)).toBe(await readFile(schemaSnapshotPath, "utf8"));
  });

  it("every migration goes down cleanly and back up to the same schema", async () => {
    const applied = db.dataSource.migrations.length;
    for (let step = 0; step < applied; step += 1) await db.dataSource.undoLastMigration({ transaction: "each" });
    const tables: Array<{ table_name: string }> = await db.dataSource.query(
      `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1`,
    );
    expect(tables.map((row) => row.table_name)).toEqual(["migrations"]);
    await db.dataSource.runMigrations({ transaction: "each" });
    expect(await dumpSchema(db.dataSource)).toBe(await readFile(schemaSnapshotPath, "utf8"));
  });

  it("apps/api/schema.graphql is what the resolvers produce (npm run generate rewrites it)", async () => {
    const committed = await readFile(join(__dirname, "..", "schema.graphql"), "utf8");
    expect(printSortedSchema(await buildGraphQLSchema(createEventBus()))).toBe(committed);
  });
});
