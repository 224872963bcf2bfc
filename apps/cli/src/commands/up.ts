import { spawn } from "node:child_process";
import { resolve } from "node:path";

export interface UpOptions {
  port?: string | undefined;
  dataDir?: string | undefined;
}

/**
 * Starts the local platform in the foreground: today the API (PGlite and local blobs under the
 * data dir unless DATABASE_URL is set). Ctrl-C stops everything it started.
 */
export function up(options: UpOptions): Promise<number> {
  const apiMain = require.resolve("@distillery/api");
  const env = {
    ...process.env,
    ...(options.port ? { PORT: options.port } : {}),
    DISTILLERY_DATA_DIR: resolve(options.dataDir ?? process.env.DISTILLERY_DATA_DIR ?? "data"),
  };
  const api = spawn(process.execPath, [apiMain], { env, stdio: "inherit" });
  const forward = (signal: NodeJS.Signals) => () => api.kill(signal);
  process.on("SIGINT", forward("SIGINT"));
  process.on("SIGTERM", forward("SIGTERM"));
  return new Promise((done) => {
    api.on("exit", (code, signal) => done(code ?? (signal ? 0 : 1)));
  });
}
