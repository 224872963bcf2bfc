import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { Database } from "../src/db/database";
import { openTestDatabase } from "./support/in-process-database";
import { databaseKind } from "./support/test-database";

let db: Database;
let dispose: () => Promise<void>;

beforeAll(async () => {
  ({ db, dispose } = await openTestDatabase());
  await db.read((manager) => manager.query(`CREATE TABLE tx_probe (id integer PRIMARY KEY)`));
});
afterAll(() => dispose?.());

beforeEach(async () => {
  await db.read((manager) => manager.query(`DELETE FROM tx_probe`));
});

async function ids(): Promise<number[]> {
  const rows: Array<{ id: number }> = await db.read((manager) => manager.query(`SELECT id FROM tx_probe ORDER BY id`));
  return rows.map((row) => row.id);
}

/** A latch the test opens by hand, to hold a transaction open while another one starts. */
function latch() {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { open, opened };
}

class Rollback extends Error {}

/** The error a promise rejects with (or null), captured at once so it never goes unhandled. */
function outcomeOf(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => null,
    (error: unknown) => error,
  );
}

/**
 * typeorm-pglite runs every transaction on PGlite's single session; without serialisation a
 * rollback of one transaction takes the other's rows with it (or keeps its own). These overlap
 * two transactions for real and check that each one's outcome is its own.
 */
describe(`overlapping transactions (${databaseKind})`, () => {
  it("a rolled-back transaction that overlaps a committing one leaves only the committed row", async () => {
    const inserted = latch();
    const release = latch();
    const committing = db.transaction(async (manager) => {
      await manager.query(`INSERT INTO tx_probe VALUES (1)`);
      inserted.open();
      await release.opened;
    });
    await inserted.opened;
    const rollingBack = outcomeOf(
      db.transaction(async (manager) => {
        await manager.query(`INSERT INTO tx_probe VALUES (2)`);
        throw new Rollback("changed my mind");
      }),
    );
    release.open();
    await committing;
    expect(await rollingBack).toBeInstanceOf(Rollback);
    expect(await ids()).toEqual([1]);
  });

  it("a transaction that rolls back after another one committed does not take the other's row along", async () => {
    const inserted = latch();
    const release = latch();
    const rollingBack = outcomeOf(
      db.transaction(async (manager) => {
        await manager.query(`INSERT INTO tx_probe VALUES (3)`);
        inserted.open();
        await release.opened;
        throw new Rollback("changed my mind");
      }),
    );
    await inserted.opened;
    const committing = db.transaction(async (manager) => {
      await manager.query(`INSERT INTO tx_probe VALUES (4)`);
    });
    release.open();
    expect(await rollingBack).toBeInstanceOf(Rollback);
    await committing;
    expect(await ids()).toEqual([4]);
  });

  it("a read that overlaps an open transaction never sees its uncommitted row", async () => {
    const inserted = latch();
    const release = latch();
    const rollingBack = outcomeOf(
      db.transaction(async (manager) => {
        await manager.query(`INSERT INTO tx_probe VALUES (5)`);
        inserted.open();
        await release.opened;
        throw new Rollback("never mind");
      }),
    );
    await inserted.opened;
    const reading = ids();
    release.open();
    expect(await rollingBack).toBeInstanceOf(Rollback);
    expect(await reading).toEqual([]);
  });
});
