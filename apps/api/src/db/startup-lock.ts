import type { Database } from "./database";

/** Any constant works; it only has to be the same in every API process. */
const STARTUP_LOCK_KEY = 7_305_011_862;

/**
 * Serialises start-up work (migrations, minting the first admin token) between API replicas
 * that share one PostgreSQL. Embedded PGlite belongs to one process, so there is nothing to race.
 */
export async function withStartupLock<T>(db: Pick<Database, "dataSource" | "embedded">, work: () => Promise<T>): Promise<T> {
  if (db.embedded) return work();
  const runner = db.dataSource.createQueryRunner();
  await runner.connect();
  try {
    await runner.query(`SELECT pg_advisory_lock($1)`, [STARTUP_LOCK_KEY]);
    try {
      return await work();
    } finally {
      await runner.query(`SELECT pg_advisory_unlock($1)`, [STARTUP_LOCK_KEY]);
    }
  } finally {
    await runner.release();
  }
}
