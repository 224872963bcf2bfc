import { join } from "node:path";
import Fastify, { type FastifyInstance } from "fastify";
import { LocalBlobStore } from "@distillery/blobstore";
import { bootstrapAdminToken } from "./bootstrap-admin";
import type { ApiConfig } from "./config";
import { openDatabase } from "./db/open-database";
import { withStartupLock } from "./db/startup-lock";
import { mountApollo } from "./graphql/apollo";
import { createEventBus } from "./graphql/event-bus";
import { buildGraphQLSchema } from "./graphql/schema";
import { serveGraphQLOverWebSocket } from "./graphql/websocket";
import { blobRoutes } from "./http/blob-routes";
import { healthRoutes } from "./http/health-routes";
import { ApiMetrics } from "./http/metrics";
import { metricsRoutes } from "./http/metrics-routes";
import { LeaseReaper } from "./modules/run/lease-reaper";
import { createServices } from "./services";

export interface RunningServer {
  app: FastifyInstance;
  url: string;
  adminTokenPath: string | null;
  close(): Promise<void>;
}

const ONE_HOUR_MS = 60 * 60 * 1000;

export async function startServer(config: ApiConfig): Promise<RunningServer> {
  const app = Fastify({ logger: { level: config.logLevel }, bodyLimit: 4 * 1024 * 1024 });
  const db = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  const blobStore = await LocalBlobStore.open(join(config.dataDir, "blobs"));
  const sweptUploads = await blobStore.sweepIncomplete(ONE_HOUR_MS);
  if (sweptUploads > 0) app.log.info({ sweptUploads }, "removed uploads left by a process that died");

  const events = createEventBus();
  const services = createServices(db, blobStore, events, {
    leaseSeconds: config.leaseSeconds,
    backoffSeconds: config.retryBackoffSeconds,
    runnerOnlineSeconds: config.runnerOnlineSeconds,
  });
  const adminTokenPath = await withStartupLock(db, () => bootstrapAdminToken(services.tokens, config.dataDir));
  const schema = await buildGraphQLSchema(events);
  const metrics = new ApiMetrics();
  metrics.instrument(app);

  await app.register(healthRoutes, { db });
  await app.register(metricsRoutes, { metrics, tokens: services.tokens });
  await app.register(blobRoutes, { services, metrics, maxBlobBytes: config.maxBlobBytes });
  await mountApollo(app, schema, services, metrics);
  await app.listen({ host: config.host, port: config.port });
  const websocket = serveGraphQLOverWebSocket(app.server, schema, services, app.log);
  const reaper = new LeaseReaper(db, events, services.jobSignal, { leaseSeconds: config.leaseSeconds, backoffSeconds: config.retryBackoffSeconds }, app.log);
  reaper.start();

  const address = app.server.address();
  const port = typeof address === "object" && address ? address.port : config.port;
  const url = `http://${config.host}:${port}`;
  app.log.info({ url, database: config.databaseUrl ? "postgresql" : "pglite", dataDir: config.dataDir }, "distillery api listening");
  if (adminTokenPath) app.log.info({ adminTokenPath }, `first start: admin token written to ${adminTokenPath}`);

  return {
    app,
    url,
    adminTokenPath,
    async close() {
      await reaper.stop();
      await websocket.close();
      await app.close();
      await db.close();
    },
  };
}
