import { randomBytes } from "node:crypto";
import { Client } from "pg";

/**
 * With DATABASE_URL set, every test server gets a database of its own on that PostgreSQL
 * server, created here and dropped afterwards; without it, the server embeds PGlite.
 */
export interface TestDatabase {
  url: string | undefined;
  drop(): Promise<void>;
}

export async function createTestDatabase(): Promise<TestDatabase> {
  const base = process.env.DATABASE_URL;
  if (!base) return { url: undefined, drop: async () => undefined };
  const name = `distillery_test_${randomBytes(6).toString("hex")}`;
  await adminQuery(base, `CREATE DATABASE ${name}`);
  const url = new URL(base);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: () => adminQuery(base, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`),
  };
}

async function adminQuery(base: string, sql: string): Promise<void> {
  const client = new Client({ connectionString: base });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

export const databaseKind = process.env.DATABASE_URL ? "postgresql" : "pglite";
