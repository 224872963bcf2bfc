import { type ChildProcess, spawn } from "node:child_process";
import { type CommandSpec, ExperimentKind, FailureKind, parseProtocolLine, validateExperimentSpec } from "@distillery/domain";
import { sleep } from "../retry/sleep";
import { LineSplitter } from "../stream/line-splitter";
import { ProcessGroup } from "./process-group";
import type { StepContext, StepExecutor, StepOutcome, StepReporter } from "./step-executor";

/** After the process exits, its output pipes get this long to drain before they are cut. */
const PIPE_DRAIN_MS = 5_000;
const MAX_MESSAGE_TAIL = 500;

/**
 * COMMAND experiments: runs spec.argv without a shell, in the job directory, with the runner's
 * environment plus spec.env, in its own process group. stdout speaks the JSON-lines protocol
 * (metrics, progress, everything else is log); stderr is log.
 */
export class CommandExecutor implements StepExecutor {
  readonly kind = ExperimentKind.COMMAND;

  async run(context: StepContext): Promise<StepOutcome> {
    let spec: CommandSpec;
    try {
      spec = validateExperimentSpec(ExperimentKind.COMMAND, context.experiment.spec) as CommandSpec;
    } catch (error) {
      return { status: "failed", kind: FailureKind.USER_ERROR, message: (error as Error).message };
    }
    const [file, ...args] = spec.argv;
    if (file === undefined) return { status: "failed", kind: FailureKind.USER_ERROR, message: "argv is empty" };

    let child: ChildProcess;
    try {
      child = spawn(file, args, { cwd: context.jobDir, env: { ...inheritedEnv(), ...spec.env }, detached: true, stdio: ["ignore", "pipe", "pipe"] });
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
    child.on("error", (error) => context.logger.warn("command process error", { error }));

    context.logger.info("command started", { argv: spec.argv, pid: child.pid, timeoutSeconds: spec.timeoutSeconds });
    const output = collectOutput(child, context.reporter);
    const group = new ProcessGroup(child.pid, context.killGraceMs);
    let stoppedBy: "timeout" | "signal" | undefined;
    const stop = (why: "timeout" | "signal") => {
      stoppedBy ??= why;
      void group.terminate();
    };
    const timer = setTimeout(() => stop("timeout"), spec.timeoutSeconds * 1000);
    const onAbort = () => stop("signal");
    context.signal.addEventListener("abort", onAbort, { once: true });
    if (context.signal.aborted) onAbort();

    const [code, signal] = await exited;
    clearTimeout(timer);
    context.signal.removeEventListener("abort", onAbort);
    // The job is its leader: whatever it left running in the group goes with it.
    if (group.alive) await group.terminate();
    await output.drained();
    context.logger.info("command exited", { code, signal, stoppedBy });

    if (stoppedBy === "signal") return { status: "stopped" };
    if (stoppedBy === "timeout") return { status: "failed", kind: FailureKind.USER_ERROR, message: `timed out after ${spec.timeoutSeconds} s` };
    if (code === 0) return { status: "succeeded", result: { exitCode: 0 } };
    const how = code !== null ? `exited with code ${code}` : `was killed by ${signal ?? "a signal"}`;
    const tail = output.lastStderrLine();
    return { status: "failed", kind: FailureKind.USER_ERROR, message: `${file} ${how}${tail ? `: ${tail}` : ""}` };
  }
}

/** The runner's environment minus its own API token: a job has no business acting as the runner. */
function inheritedEnv(): NodeJS.ProcessEnv {
  const { DISTILLERY_TOKEN: _token, ...env } = process.env;
  return env;
}

function couldNotStart(file: string, error: unknown): StepOutcome {
  const reason = error instanceof Error ? error.message : "unknown error";
  return { status: "failed", kind: FailureKind.USER_ERROR, message: `could not start ${file}: ${reason}` };
}

/** Feeds both pipes to the reporter line by line, and remembers stderr's last words for the failure message. */
function collectOutput(child: ChildProcess, reporter: StepReporter) {
  let lastStderr = "";
  const stdout = new LineSplitter((line) => {
    const parsed = parseProtocolLine(line);
    if (parsed.type === "metric") reporter.metric(parsed.point);
    else if (parsed.type === "progress") reporter.progress(parsed.progress);
    // COMMAND jobs register nothing: an artifact announcement is kept as a log line.
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
