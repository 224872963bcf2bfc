import { type ChildProcess, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";

/** apps/web, when the workspace is there and `next build` has run in it; undefined otherwise. */
export function builtWebApp(): string | undefined {
  let root: string;
  try {
    root = dirname(require.resolve("@distillery/web/package.json"));
  } catch {
    return undefined;
  }
  return existsSync(join(root, ".next", "BUILD_ID")) ? root : undefined;
}

/**
 * `next start` for the web UI beside the API, talking to it at `apiUrl` from its server side.
 * In its own process group: Next starts workers of its own, and stopping the group stops them all.
 */
export function spawnWeb(webRoot: string, port: string, apiUrl: string, env: NodeJS.ProcessEnv): ChildProcess {
  const next = require.resolve("next/dist/bin/next", { paths: [webRoot] });
  return spawn(process.execPath, [next, "start", webRoot, "--port", port, "--hostname", "127.0.0.1"], {
    env: { ...env, DISTILLERY_API: apiUrl, NEXT_TELEMETRY_DISABLED: "1", PORT: port },
    stdio: "inherit",
    detached: true,
  });
}

/** Signals the web server's whole process group. */
export function stopWeb(web: ChildProcess, signal: NodeJS.Signals): void {
  if (web.pid === undefined || web.exitCode !== null || web.signalCode !== null) return;
  try {
    process.kill(-web.pid, signal);
  } catch {
    // Already gone.
  }
}
