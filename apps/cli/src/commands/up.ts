import { type ChildProcess, spawn } from "node:child_process";
import { resolve } from "node:path";
import { ensureRunnerToken } from "../local-runner/runner-token";
import { spawnLocalRunner } from "../local-runner/spawn-runner";
import { builtWebApp, spawnWeb, stopWeb } from "../local-runner/spawn-web";
import { waitForHealth } from "../local-runner/wait-for-health";

export interface UpOptions {
  port?: string | undefined;
  dataDir?: string | undefined;
  webPort?: string | undefined;
}

/**
 * Starts the local platform in the foreground: the API (PGlite and local blobs under the data
 * dir unless DATABASE_URL is set) and, once it is healthy, one runner named `local` and the web
 * UI (when apps/web is built). Ctrl-C or SIGTERM stops them all; the exit status is the API's.
 */
export async function up(options: UpOptions): Promise<number> {
  const apiMain = require.resolve("@distillery/api");
  const port = options.port ?? process.env.PORT ?? "4000";
  const dataDir = resolve(options.dataDir ?? process.env.DISTILLERY_DATA_DIR ?? "data");
  const env = { ...process.env, PORT: port, DISTILLERY_DATA_DIR: dataDir };
  const api = spawn(process.execPath, [apiMain], { env, stdio: "inherit" });
  const apiExited = exitOf(api);
  let runner: ChildProcess | undefined;
  let web: ChildProcess | undefined;
  let stopping = false;
  const forward = (signal: NodeJS.Signals) => () => {
    stopping = true;
    api.kill(signal);
    runner?.kill(signal);
    if (web) stopWeb(web, signal);
  };
  process.on("SIGINT", forward("SIGINT"));
  process.on("SIGTERM", forward("SIGTERM"));

  const apiUrl = `http://127.0.0.1:${port}`;
  if ((await waitForHealth(apiUrl, api)) && !stopping) {
    runner = await startRunner(apiUrl, dataDir, env);
    // A signal that came while the token was being made did not reach the runner yet.
    if (stopping) runner?.kill("SIGTERM");
    web = startWeb(options.webPort ?? process.env.WEB_PORT ?? "3000", apiUrl, env);
    if (stopping && web) stopWeb(web, "SIGTERM");
    // The runner and the UI only work for the API: if the API goes, so do they.
    void apiExited.then(() => {
      runner?.kill("SIGTERM");
      if (web) stopWeb(web, "SIGTERM");
    });
  }
  const [code] = await Promise.all([apiExited, runner ? exitOf(runner) : undefined, web ? exitOf(web) : undefined]);
  return code;
}

async function startRunner(apiUrl: string, dataDir: string, env: NodeJS.ProcessEnv): Promise<ChildProcess | undefined> {
  try {
    const token = await ensureRunnerToken(apiUrl, dataDir);
    if ("missing" in token) {
      process.stderr.write(`distillery: not starting the local runner: ${token.missing}\n`);
      return undefined;
    }
    const runner = spawnLocalRunner(apiUrl, token.token, dataDir, env);
    runner.on("exit", (code, signal) => {
      if (code !== 0 && signal === null) process.stderr.write(`distillery: the local runner exited with status ${code}; the API keeps running\n`);
    });
    return runner;
  } catch (error) {
    process.stderr.write(`distillery: not starting the local runner: ${(error as Error).message}\n`);
    return undefined;
  }
}

function startWeb(port: string, apiUrl: string, env: NodeJS.ProcessEnv): ChildProcess | undefined {
  const webRoot = builtWebApp();
  if (!webRoot) {
    process.stderr.write("distillery: not starting the web UI: apps/web is not built (npm run build)\n");
    return undefined;
  }
  const web = spawnWeb(webRoot, port, apiUrl, env);
  process.stderr.write(`distillery: the web UI on http://127.0.0.1:${port} (sign in with a token, e.g. the admin token)\n`);
  web.on("exit", (code, signal) => {
    if (code !== 0 && signal === null) process.stderr.write(`distillery: the web UI exited with status ${code}; the API keeps running\n`);
  });
  return web;
}

/** The exit status, with a signal death counted as a clean stop (we sent it). */
function exitOf(child: ChildProcess): Promise<number> {
  const status = (code: number | null, signal: NodeJS.Signals | null) => code ?? (signal ? 0 : 1);
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(status(child.exitCode, child.signalCode));
  return new Promise((done) => child.once("exit", (code, signal) => done(status(code, signal))));
}
