import { type ChildProcess, spawn } from "node:child_process";
import { resolve } from "node:path";

/** The built command, as `distillery` runs it. */
export const BIN = resolve(__dirname, "..", "..", "dist", "bin.js");

export interface Finished {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface CliOptions {
  /** Over the test's own environment, after DISTILLERY_API/TOKEN/DATA_DIR/CONFIG_DIR are cleared. */
  env?: NodeJS.ProcessEnv;
  /** Written to stdin, which is then closed; absent: stdin is /dev/null. */
  input?: string;
  cwd?: string;
}

/** A running CLI: its output so far, and how it ended once it has. */
export interface RunningCli {
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  finished: Promise<Finished>;
}

/**
 * `node dist/bin.js …` as a child the test can read while it runs and signal. The caller's
 * DISTILLERY_* variables are cleared so a developer's own login or token never leaks into a test.
 */
export function startCli(args: string[], options: CliOptions = {}): RunningCli {
  const env = { ...process.env, DISTILLERY_API: "", DISTILLERY_TOKEN: "", DISTILLERY_DATA_DIR: "", DISTILLERY_CONFIG_DIR: "", ...options.env };
  const child = spawn(process.execPath, [BIN, ...args], {
    env,
    cwd: options.cwd,
    stdio: [options.input === undefined ? "ignore" : "pipe", "pipe", "pipe"],
  });
  if (options.input !== undefined) child.stdin!.end(options.input);
  let stdout = "";
  let stderr = "";
  child.stdout!.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr!.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const finished = new Promise<Finished>((done) => child.once("close", (code, signal) => done({ code, signal, stdout, stderr })));
  return { child, stdout: () => stdout, stderr: () => stderr, finished };
}

/** `node dist/bin.js …` to the end. */
export function cli(args: string[], options: CliOptions = {}): Promise<Finished> {
  return startCli(args, options).finished;
}
