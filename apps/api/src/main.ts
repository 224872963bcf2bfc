#!/usr/bin/env node
import "reflect-metadata";
import { loadConfig } from "./config";
import { startServer } from "./server";

async function main(): Promise<void> {
  const server = await startServer(loadConfig());
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    server.app.log.info({ signal }, "shutting down");
    server.close().then(
      () => process.exit(0),
      (error: unknown) => {
        server.app.log.error({ err: error }, "shutdown failed");
        process.exit(1);
      },
    );
  };
  process.on("SIGTERM", () => stop("SIGTERM"));
  process.on("SIGINT", () => stop("SIGINT"));
}

main().catch((error: unknown) => {
  console.error(JSON.stringify({ level: 60, msg: "distillery api failed to start", err: String((error as Error)?.stack ?? error) }));
  process.exit(1);
});
