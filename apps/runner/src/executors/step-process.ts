import { type ChildProcess, spawn } from "node:child_process";
import { type ArtifactAnnouncement, parseProtocolLine } from "@distillery/domain";
import type { Logger } from "../log/logger";
import { sleep } from "../retry/sleep";
import { LineSplitter } from "../stream/line-splitter";
import { ProcessGroup } from "./process-group";
import type { StepReporter } from "./step-executor";

/** After the process exits, its output pipes get this long to drain before they are cut. */
const PIPE_DRAIN_MS = 5_000;
const MAX_MESSAGE_TAIL = 500;

export interface StepProcessOptions {
  file: string;
  args: string[];
  cwd: string;
  env: NodeJS.ProcessEnv;
  timeoutSeconds: number;
  /** Aborting stops the process group: SIGTERM, then SIGKILL after `killGraceMs`. */
  signal: AbortSignal;
  killGraceMs: number;
  reporter: StepReporter;
  logger: Logger;
  /** Names the process in the runner's own logs ("command started", "trainer exited"). */
  label: string;
  /**
   * Artifact announcements on stdout. Without a hook they are kept as log lines (COMMAND jobs
   * register nothing).
   */
  onArtifact?: (artifact: ArtifactAnnouncement) => void;
}

export type StepProcessResult =
  | { started: false; message: string }
  | {
      started: true;
      code: number | null;
      signal: NodeJS.Signals | null;
      /** Set when the runner stopped it: its timeout, or the step's abort signal. */
      stoppedBy: "timeout" | "signal" | undefined;
      /** stderr's last non-blank line, trimmed and capped: the usual "what went wrong". */
      stderrTail: string;
    };

/**
 * Runs a step's program without a shell, in its own process group: stdout speaks the JSON-lines
 * protocol (metrics and progress to the reporter, artifacts to the hook, everything else is
 * log), stderr is log. On timeout or abort the whole group gets SIGTERM, then SIGKILL after the
 * grace period; whatever the leader left running in the group goes with it when it exits.
 */
export async function runStepProcess(options: StepProcessOptions): Promise<StepProcessResult> {
  const { file, args, logger } = options;
  let child: ChildProcess;
  try {
    child = spawn(file, args, { cwd: options.cwd, env: options.env, detached: true, stdio: ["ignore", "pipe", "pipe"] });
  } catch (error) {
    return couldNotStart(file, error);
  }
  // Listen before anything else can run, so no event can be missed. (Not events.once: it
  // rejects on "error", and a spawn failure would then reject promises nobody awaits.)
  const exited = new Promise<[number | null, NodeJS.Signals | null]>((resolve) => child.once("exit", (code, signal) => resolve([code, signal])));
  const startError = await new Promise<Error | undefined>((resolve) => {
    child.once("spawn", () => resolve(undefined));
    child.once("error", resolve);
  });
  if (startError || child.pid === undefined) return couldNotStart(file, startError);
  child.on("error", (error) => logger.warn(`${options.label} process error`, { error }));

  logger.info(`${options.label} started`, { argv: [file, ...args], pid: child.pid, timeoutSeconds: options.timeoutSeconds });
  const output = collectOutput(child, options.reporter, options.onArtifact);
  const group = new ProcessGroup(child.pid, options.killGraceMs);
  let stoppedBy: "timeout" | "signal" | undefined;
  const stop = (why: "timeout" | "signal") => {
    stoppedBy ??= why;
    void group.terminate();
  };
  const timer = setTimeout(() => stop("timeout"), options.timeoutSeconds * 1000);
  const onAbort = () => stop("signal");
  options.signal.addEventListener("abort", onAbort, { once: true });
  if (options.signal.aborted) onAbort();

  const [code, signal] = await exited;
  clearTimeout(timer);
  options.signal.removeEventListener("abort", onAbort);
  // The job is its leader: whatever it left running in the group goes with it.
  if (group.alive) await group.terminate();
  await output.drained();
  logger.info(`${options.label} exited`, { code, signal, stoppedBy });
  return { started: true, code, signal, stoppedBy, stderrTail: output.lastStderrLine() };
}

/** The runner's environment minus its own API token: a job has no business acting as the runner. */
export function inheritedEnv(): NodeJS.ProcessEnv {
  const { DISTILLERY_TOKEN: _token, ...env } = process.env;
  return env;
}

/** "exited with code 3" or "was killed by SIGKILL". */
export function describeExit(code: number | null, signal: NodeJS.Signals | null): string {
  return code !== null ? `exited with code ${code}` : `was killed by ${signal ?? "a signal"}`;
}

function couldNotStart(file: string, error: unknown): StepProcessResult {
  const reason = error instanceof Error ? error.message : "unknown error";
  return { started: false, message: `could not start ${file}: ${reason}` };
}

/** Feeds both pipes to the reporter line by line, and remembers stderr's last words for the failure message. */
function collectOutput(child: ChildProcess, reporter: StepReporter, onArtifact: ((artifact: ArtifactAnnouncement) => void) | undefined) {
  let lastStderr = "";
  const stdout = new LineSplitter((line) => {
    const parsed = parseProtocolLine(line);
    if (parsed.type === "metric") reporter.metric(parsed.point);
    else if (parsed.type === "progress") reporter.progress(parsed.progress);
    else if (parsed.type === "artifact" && onArtifact) onArtifact(parsed.artifact);
    else reporter.log(parsed.type === "log" ? parsed.text : line);
  });
  const stderr = new LineSplitter((line) => {
    if (line.trim()) lastStderr = line.trim();
    reporter.log(line);
  });
  child.stdout?.on("data", (chunk: Buffer) => stdout.write(chunk));
  child.stderr?.on("data", (chunk: Buffer) => stderr.write(chunk));
  const closed = Promise.all([child.stdout, child.stderr].map((stream) => (stream && !stream.closed ? new Promise((resolve) => stream.once("close", resolve)) : undefined)));
  return {
    /** Waits for the pipes to close (a straggler that escaped the group may hold them: cut after a while). */
    async drained(): Promise<void> {
      const timer = new AbortController();
      await Promise.race([closed, sleep(PIPE_DRAIN_MS, timer.signal)]);
      timer.abort();
      child.stdout?.destroy();
      child.stderr?.destroy();
      stdout.end();
      stderr.end();
    },
    lastStderrLine: () => (lastStderr.length > MAX_MESSAGE_TAIL ? `${lastStderr.slice(0, MAX_MESSAGE_TAIL)}…` : lastStderr),
  };
}
