import { type CommandSpec, ExperimentKind, FailureKind, validateExperimentSpec } from "@distillery/domain";
import type { StepContext, StepExecutor, StepOutcome } from "./step-executor";
import { describeExit, inheritedEnv, runStepProcess } from "./step-process";

/**
 * COMMAND experiments: runs spec.argv without a shell, in the job directory, with the runner's
 * environment plus spec.env, in its own process group. stdout speaks the JSON-lines protocol
 * (metrics, progress, everything else is log — artifact lines included: COMMAND jobs register
 * nothing); stderr is log.
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

    const exit = await runStepProcess({
      file,
      args,
      cwd: context.jobDir,
      env: { ...inheritedEnv(), ...spec.env },
      timeoutSeconds: spec.timeoutSeconds,
      signal: context.signal,
      killGraceMs: context.killGraceMs,
      reporter: context.reporter,
      logger: context.logger,
      label: "command",
    });
    if (!exit.started) return { status: "failed", kind: FailureKind.USER_ERROR, message: exit.message };
    if (exit.stoppedBy === "signal") return { status: "stopped" };
    if (exit.stoppedBy === "timeout") return { status: "failed", kind: FailureKind.USER_ERROR, message: `timed out after ${spec.timeoutSeconds} s` };
    if (exit.code === 0) return { status: "succeeded", result: { exitCode: 0 } };
    const tail = exit.stderrTail;
    return { status: "failed", kind: FailureKind.USER_ERROR, message: `${file} ${describeExit(exit.code, exit.signal)}${tail ? `: ${tail}` : ""}` };
  }
}
