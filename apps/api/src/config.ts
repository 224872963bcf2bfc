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
  /** How long a lease lasts without a heartbeat. */
  leaseSeconds: number;
  /** First retry backoff of an infrastructure failure; doubles per attempt, with jitter. */
  retryBackoffSeconds: number;
  /** A runner not seen (polling or heartbeating) for this long is offline. */
  runnerOnlineSeconds: number;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): ApiConfig {
  return {
    host: env.HOST ?? "127.0.0.1",
    port: integerFrom(env, "PORT", 4000),
    dataDir: resolve(env.DISTILLERY_DATA_DIR ?? "data"),
    databaseUrl: env.DATABASE_URL || undefined,
    maxBlobBytes: integerFrom(env, "DISTILLERY_MAX_BLOB_BYTES", 8 * 1024 ** 3),
    logLevel: env.LOG_LEVEL ?? "info",
    leaseSeconds: numberFrom(env, "DISTILLERY_LEASE_SECONDS", 180),
    retryBackoffSeconds: numberFrom(env, "DISTILLERY_RETRY_BACKOFF_SECONDS", 10),
    runnerOnlineSeconds: numberFrom(env, "DISTILLERY_RUNNER_ONLINE_SECONDS", 60),
  };
}

function integerFrom(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === "") return fallback;
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value < 0) throw new Error(`${name} must be a non-negative integer, got "${raw}"`);
  return value;
}

function numberFrom(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === "") return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`${name} must be a positive number, got "${raw}"`);
  return value;
}
