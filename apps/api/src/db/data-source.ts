import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { DataSource, type DataSourceOptions } from "typeorm";
import { PGliteDriver } from "typeorm-pglite";
import { migrations } from "@distillery/migrations";
import { entities } from "./entities";

export interface DatabaseTarget {
  /** postgres://… or undefined for embedded PGlite. */
  databaseUrl: string | undefined;
  /** Where PGlite keeps its files when embedded. */
  dataDir: string;
}

export async function createDataSource(target: DatabaseTarget): Promise<DataSource> {
  const common = {
    type: "postgres",
    entities,
    migrations,
    migrationsRun: false,
    synchronize: false,
    // Our migrations use gen_random_uuid(), built into PostgreSQL >= 13; PGlite lacks uuid-ossp.
    uuidExtension: "pgcrypto",
    installExtensions: false,
    logging: ["error"] as ("error")[],
  } as const;

  if (target.databaseUrl) {
    return new DataSource({ ...common, url: target.databaseUrl, extra: { max: 10 } } as DataSourceOptions);
  }
  const pgDir = join(target.dataDir, "pg");
  // PGlite does not create parent folders.
  await mkdir(pgDir, { recursive: true });
  return new DataSource({ ...common, driver: new PGliteDriver({ dataDir: pgDir }).driver } as DataSourceOptions);
}
