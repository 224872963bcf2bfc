import { type ChildProcess, spawn } from "node:child_process";
import { join } from "node:path";

/** The runner agent's executable, found through the workspace package like the API's. */
export function runnerBinPath(): string {
  return require.resolve("@distillery/runner");
}

/**
 * One local runner, named `local`, that also runs COMMAND jobs (it is the operator's own
 * machine). The token goes in the environment, not on the command line, where `ps` would show it.
 */
export function spawnLocalRunner(apiUrl: string, token: string, dataDir: string, env: NodeJS.ProcessEnv): ChildProcess {
  const args = [runnerBinPath(), "--api", apiUrl, "--name", "local", "--work-dir", join(dataDir, "runner"), "--allow-command-jobs"];
  return spawn(process.execPath, args, { env: { ...env, DISTILLERY_TOKEN: token }, stdio: "inherit" });
}
