/**
 * A throw-away PostgreSQL database per benchmark run: `distillery_bench_<random>` on the server
 * of BENCH_DATABASE_URL, dropped at the end (WITH (FORCE): the API's pool may still be closing).
 */
import { randomBytes } from "node:crypto";
import { Client } from "pg";
import type { BenchContext } from "./harness";

export const DEFAULT_BENCH_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/test";

export function benchDatabaseUrl(): string {
  const raw = process.env["BENCH_DATABASE_URL"];
  return raw === undefined || raw.trim() === "" ? DEFAULT_BENCH_DATABASE_URL : raw.trim();
}

/** The URL with any password replaced by "***", for printing. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password !== "") u.password = "***";
    return u.toString();
  } catch {
    return url;
  }
}

export interface BenchDatabase {
  name: string;
  /** The new database's URL: give it to the API as DATABASE_URL. */
  url: string;
  drop(): Promise<void>;
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

/** Creates the database and registers its drop as a cleanup of `ctx`. */
export async function createBenchDatabase(ctx: BenchContext, base = benchDatabaseUrl()): Promise<BenchDatabase> {
  const name = `distillery_bench_${randomBytes(6).toString("hex")}`;
  await adminQuery(base, `CREATE DATABASE ${name}`);
  const url = new URL(base);
  url.pathname = `/${name}`;
  let dropped = false;
  const db: BenchDatabase = {
    name,
    url: url.toString(),
    async drop() {
      if (dropped) return;
      dropped = true;
      await adminQuery(base, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    },
  };
  ctx.onCleanup(() => db.drop());
  return db;
}

/** A connected pg client, ended at the end of the benchmark (ending it earlier is fine too). */
export async function connect(ctx: BenchContext, url: string): Promise<Client> {
  const client = new Client({ connectionString: url });
  await client.connect();
  client.on("error", (e) => console.error(`pg client: ${e.message}`));
  ctx.onCleanup(() => client.end().catch(() => undefined));
  return client;
}
