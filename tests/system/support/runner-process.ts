import { type ChildProcess, spawn } from "node:child_process";
import { resolve } from "node:path";

const RUNNER_BIN = resolve(__dirname, "..", "..", "..", "apps", "runner", "dist", "bin.js");

export interface RunnerProcess {
  name: string;
  workDir: string;
  child: ChildProcess;
  output(): string;
  /** SIGKILL, as a crash or an OOM kill would: no shutdown code runs. */
  kill(): Promise<void>;
  stop(): Promise<void>;
}

/** A real `distillery-runner` process taking command jobs. */
export function startRunner(options: { api: string; token: string; name: string; workDir: string }): RunnerProcess {
  const child = spawn(
    process.execPath,
    [RUNNER_BIN, "--api", options.api, "--token", options.token, "--name", options.name, "--work-dir", options.workDir, "--allow-command-jobs"],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  let output = "";
  child.stdout?.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const signal = async (name: NodeJS.Signals) => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((done) => child.once("exit", done));
    child.kill(name);
    await exited;
  };
  return { name: options.name, workDir: options.workDir, child, output: () => output, kill: () => signal("SIGKILL"), stop: () => signal("SIGTERM") };
}
