import { createDataSource, type DatabaseTarget } from "./data-source";
import { Database } from "./database";
import { withStartupLock } from "./startup-lock";

/** Connects and brings the schema up to date (migrations run at every start, one replica at a time). */
export async function openDatabase(target: DatabaseTarget): Promise<Database> {
  const dataSource = await createDataSource(target);
  await dataSource.initialize();
  const db = new Database(dataSource, target.databaseUrl === undefined);
  await withStartupLock(db, () => dataSource.runMigrations({ transaction: "each" }));
  return db;
}
