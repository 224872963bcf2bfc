import { type ChildProcess, spawn } from "node:child_process";
import { resolve } from "node:path";
import { waitFor } from "./wait-for";

export const RUNNER_BIN = resolve(__dirname, "..", "..", "dist", "bin.js");

export interface LogLine {
  level: string;
  msg: string;
  [field: string]: unknown;
}

export interface RunnerProcess {
  child: ChildProcess;
  /** stderr as it came, for failure messages. */
  output(): string;
  /** stderr's JSON lines so far. */
  logs(): LogLine[];
  waitForLog(message: string, timeoutMs?: number): Promise<LogLine>;
  exited: Promise<number | null>;
  /** Sends `signal` (SIGTERM by default) and resolves to the exit status. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/** The built runner (dist/bin.js) as a real process. */
export function startRunner(args: string[], env: NodeJS.ProcessEnv = {}): RunnerProcess {
  const child = spawn(process.execPath, [RUNNER_BIN, ...args], {
    env: { ...process.env, LOG_LEVEL: "debug", DISTILLERY_API: "", DISTILLERY_TOKEN: "", DISTILLERY_RUNNER_NAME: "", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout?.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((done) => child.once("exit", (code) => done(code)));
  const logs = () =>
    output
      .split("\n")
      .filter((line) => line.startsWith("{"))
      .map((line) => JSON.parse(line) as LogLine);
  return {
    child,
    output: () => output,
    logs,
    exited,
    waitForLog: (message, timeoutMs = 30_000) =>
      waitFor(`runner log "${message}"\n${output}`, () => logs().find((line) => line.msg === message), timeoutMs),
    async stop(signal = "SIGTERM") {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}

/** `node -e <script>` as a job's argv: a portable stand-in for a training script. */
export function nodeScript(script: string): string[] {
  return [process.execPath, "-e", script];
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
