import type { DataSource, EntityManager } from "typeorm";
import { AsyncMutex } from "./async-mutex";
import { translateDatabaseError } from "./database-errors";

/**
 * The only door to the database for services.
 *
 * PGlite has a single connection, and typeorm-pglite does not isolate transactions on it: two
 * overlapping transactions share one session, so a rollback of one can keep or drop the other's
 * rows. In embedded mode every unit of work therefore holds one lock for its whole duration.
 * PostgreSQL gets real concurrency and real isolation.
 */
export class Database {
  private readonly embeddedLock: AsyncMutex | null;

  constructor(
    readonly dataSource: DataSource,
    readonly embedded: boolean,
  ) {
    this.embeddedLock = embedded ? new AsyncMutex() : null;
  }

  /** Reads outside a transaction (each statement sees committed data). */
  read<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    return this.exclusive(() => work(this.dataSource.manager));
  }

  /** Runs `work` in one transaction; a thrown error rolls everything back. */
  transaction<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    return this.exclusive(() => this.dataSource.transaction(work));
  }

  async close(): Promise<void> {
    await this.exclusive(async () => {
      if (this.dataSource.isInitialized) await this.dataSource.destroy();
    });
  }

  private async exclusive<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await (this.embeddedLock ? this.embeddedLock.run(work) : work());
    } catch (error) {
      throw translateDatabaseError(error);
    }
  }
}
