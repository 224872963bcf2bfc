/**
 * What the PostgreSQL benchmarks start from: a fresh database, the API on it, an admin client
 * and a direct pg connection for the physical-limit measurements. All torn down by the harness.
 */
import * as path from "node:path";
import type { Client } from "pg";
import { connect, createBenchDatabase, type BenchDatabase } from "./database";
import { GraphQLClient } from "./graphql";
import type { BenchContext } from "./harness";
import { ApiServer } from "./start-api";

export interface BenchPlatform {
  db: BenchDatabase;
  server: ApiServer;
  admin: GraphQLClient;
  pg: Client;
}

export async function startBenchPlatform(ctx: BenchContext, baseUrl: string, env: Record<string, string> = {}): Promise<BenchPlatform> {
  const db = await createBenchDatabase(ctx, baseUrl);
  console.log(`database: ${db.name} (PostgreSQL), API log level ${process.env["LOG_LEVEL"] ?? "info"}`);
  const server = ctx.track(
    await ApiServer.spawn({ dataDir: path.join(ctx.tmp, "data"), logFile: path.join(ctx.tmp, "server.log"), env: { DATABASE_URL: db.url, ...env } }),
  );
  await server.waitForHealthVerbose();
  const admin = new GraphQLClient(server.base, await server.readAdminToken());
  return { db, server, admin, pg: await connect(ctx, db.url) };
}
