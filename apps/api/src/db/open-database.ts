import { createDataSource, type DatabaseTarget } from "./data-source";
import { Database } from "./database";

/** Connects and brings the schema up to date (migrations run at every start). */
export async function openDatabase(target: DatabaseTarget): Promise<Database> {
  const dataSource = await createDataSource(target);
  await dataSource.initialize();
  await dataSource.runMigrations({ transaction: "each" });
  return new Database(dataSource, target.databaseUrl === undefined);
}
