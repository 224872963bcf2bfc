import { resolve } from "node:path";

export interface ApiConfig {
  host: string;
  port: number;
  /** Holds the embedded database (pg/), blobs (blobs/) and the first admin token. */
  dataDir: string;
  /** postgres://… to use a PostgreSQL server; absent means embedded PGlite in dataDir/pg. */
  databaseUrl: string | undefined;
  maxBlobBytes: number;
  logLevel: string;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): ApiConfig {
  return {
    host: env.HOST ?? "127.0.0.1",
    port: integerFrom(env, "PORT", 4000),
    dataDir: resolve(env.DISTILLERY_DATA_DIR ?? "data"),
    databaseUrl: env.DATABASE_URL || undefined,
    maxBlobBytes: integerFrom(env, "DISTILLERY_MAX_BLOB_BYTES", 8 * 1024 ** 3),
    logLevel: env.LOG_LEVEL ?? "info",
  };
}

function integerFrom(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === "") return fallback;
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value < 0) throw new Error(`${name} must be a non-negative integer, got "${raw}"`);
  return value;
}
