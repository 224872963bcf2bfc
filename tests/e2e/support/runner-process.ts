import { type ChildProcess, spawn } from "node:child_process";
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import type { ApiServer } from "../../../apps/cli/test/support/api-server";
import { mintToken } from "../../support/chromium";

/** The real runner agent as a child process, allowed to run COMMAND jobs (no PyTorch needed). */
export interface RunnerProcess {
  name: string;
  output(): string;
  stop(): Promise<void>;
}

export async function startRunner(server: ApiServer, name = "e2e-runner"): Promise<RunnerProcess> {
  const workDir = join(server.dataDir, `runner-${name}`);
  await mkdir(workDir, { recursive: true });
  const token = await mintToken(server.graphql, name, ["RUNNER"]);
  const args = [require.resolve("@distillery/runner"), "--api", server.url, "--name", name, "--work-dir", workDir];
  // A Python that is not there makes the torch capability probe quick: command jobs need none.
  const runner: ChildProcess = spawn(process.execPath, [...args, "--allow-command-jobs", "--python", join(workDir, "no-python")], {
    env: { ...process.env, DISTILLERY_TOKEN: token, LOG_LEVEL: "info" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  runner.stdout?.on("data", (chunk: Buffer) => (output += chunk.toString()));
  runner.stderr?.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const stop = async () => {
    if (runner.exitCode === null && runner.signalCode === null) {
      const exited = new Promise((done) => runner.once("exit", done));
      runner.kill("SIGTERM");
      await exited;
    }
  };
  // Online means registered and polling; its capability probes take a moment.
  const deadline = Date.now() + 90_000;
  for (;;) {
    const { data } = await server.graphql(`{ runners { name online } }`);
    if (data?.runners?.some((found: { name: string; online: boolean }) => found.name === name && found.online)) break;
    if (Date.now() > deadline || runner.exitCode !== null) {
      await stop();
      throw new Error(`the runner did not come online:\n${output}`);
    }
    await new Promise((done) => setTimeout(done, 250));
  }
  return { name, output: () => output, stop };
}
