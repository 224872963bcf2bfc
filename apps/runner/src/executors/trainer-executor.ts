import { existsSync } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { type ArtifactAnnouncement, FailureKind, validateExperimentSpec } from "@distillery/domain";
import type { PipelineApi } from "../api/runner-api";
import { describeError } from "@distillery/client";
import { failureOutcome } from "./onnx/step-outcome";
import { publishArtifacts } from "./publish-artifacts";
import { InputError, type PlatformDatasets, resolveContextFor, resolvePlatformDatasets, withPlatformDatasets } from "./resolve-inputs";
import type { StepContext, StepExecutor, StepOutcome } from "./step-executor";
import { describeExit, inheritedEnv, runStepProcess } from "./step-process";
import type { TrainerStep } from "./trainer-steps";

/** The trainer's exit status after a SIGTERM, once its checkpoint is written. */
const EXIT_STOPPED = 143;
/** When a spec has no timeoutSeconds of its own (every trainer spec has one today). */
const DEFAULT_TIMEOUT_SECONDS = 24 * 3600;

export interface TrainerExecutorOptions {
  /** The directory holding the distillery_trainer package (PYTHONPATH); found from @distillery/trainer by default. */
  trainerRoot?: string;
  /** Where inputs are cached by digest; `<work-dir>/cache` by default. */
  cacheDir?: string;
}

/**
 * Experiments the Python trainer runs (PRETRAIN, DISTILL, EXTRACTOR: see trainer-steps). The
 * step's inputs are resolved first (a distill's teacher, and any platform dataset, downloaded once
 * into `<work-dir>/cache`); the validated spec, with them as `resolved` and each platform dataset
 * rewritten to `{source: "npz", path, ref}`, goes to `<jobDir>/spec.json`. The trainer's work
 * directory is `<work-dir>/jobs/<jobId>/trainer`, the same for every attempt on this machine, so a retried
 * job resumes from the checkpoint the stopped one wrote. Its stdout speaks the JSON-lines
 * protocol; the artifacts it announces are uploaded and registered once it exits 0.
 */
export class TrainerExecutor implements StepExecutor {
  readonly kind: string;

  constructor(
    private readonly step: TrainerStep,
    private readonly api: PipelineApi,
    private readonly options: TrainerExecutorOptions = {},
  ) {
    this.kind = step.kind;
  }

  async run(context: StepContext): Promise<StepOutcome> {
    let spec: Record<string, unknown>;
    try {
      spec = validateExperimentSpec(this.step.kind, context.experiment.spec);
    } catch (error) {
      return { status: "failed", kind: FailureKind.USER_ERROR, message: (error as Error).message };
    }
    const root = this.options.trainerRoot ?? findTrainerRoot();
    if (!root) return infraFailure("cannot find the trainer (the @distillery/trainer package) next to the runner");

    const resolveContext = resolveContextFor(context, this.api, this.options.cacheDir);
    let resolved: Record<string, unknown> = {};
    // What the trainer gets: platform datasets rewritten to the npz in the cache (every kind).
    let datasets: PlatformDatasets = { spec, resolved: {} };
    try {
      datasets = await resolvePlatformDatasets(spec, resolveContext);
      if (this.step.resolve) resolved = await this.step.resolve(spec, resolveContext);
    } catch (error) {
      if (context.signal.aborted) return { status: "stopped" };
      if (error instanceof InputError) return { status: "failed", kind: error.kind, message: error.message };
      return infraFailure(`cannot resolve the job's inputs: ${describeError(error)}`);
    }

    const specPath = join(context.jobDir, "spec.json");
    const workDir = trainerWorkDir(context.jobDir);
    try {
      await writeFile(specPath, `${JSON.stringify({ ...datasets.spec, resolved }, null, 2)}\n`);
      await mkdir(workDir, { recursive: true });
    } catch (error) {
      return infraFailure(`cannot prepare the trainer's files: ${describeError(error)}`);
    }

    const timeoutSeconds = typeof spec.timeoutSeconds === "number" ? spec.timeoutSeconds : DEFAULT_TIMEOUT_SECONDS;
    // Announced in order; one announced again (same name) replaces the first.
    const announced = new Map<string, ArtifactAnnouncement>();
    const exit = await runStepProcess({
      file: context.python,
      args: ["-m", "distillery_trainer", this.step.command, "--spec", specPath, "--work-dir", workDir],
      cwd: context.jobDir,
      env: trainerEnv(root),
      timeoutSeconds,
      signal: context.signal,
      killGraceMs: context.killGraceMs,
      reporter: context.reporter,
      logger: context.logger,
      label: "trainer",
      onArtifact: (artifact) => {
        announced.delete(artifact.name);
        // Its metadata names platform datasets by their resolved ref, not by the cache path.
        announced.set(artifact.name, { ...artifact, metadata: withPlatformDatasets(artifact.metadata, datasets.resolved) });
        context.logger.debug("artifact announced", { artifact: artifact.name, kind: artifact.kind, path: artifact.path });
      },
    });
    // The interpreter is the runner's configuration (--python), not the experiment's.
    if (!exit.started) return infraFailure(exit.message);
    if (exit.stoppedBy === "signal") return { status: "stopped" };
    if (exit.stoppedBy === "timeout") return userError(`timed out after ${timeoutSeconds} s`);
    if (exit.code === EXIT_STOPPED || (exit.code === null && exit.signal === "SIGTERM")) {
      // Not the runner's doing: the machine is going down, or someone stopped the process.
      return infraFailure("trainer stopped by SIGTERM; a retry resumes from its checkpoint");
    }
    if (exit.code !== 0) return userError(`trainer ${describeExit(exit.code, exit.signal)}${exit.stderrTail ? `: ${exit.stderrTail}` : ""}`);

    try {
      const { versions, blobs } = await publishArtifacts([...announced.values()], {
        api: this.api,
        jobId: context.jobId,
        leaseId: context.leaseId,
        signal: context.signal,
        reporter: context.reporter,
        logger: context.logger,
        // Platform datasets pinned to the versions the job used.
        publication: (artifact, uploaded) => this.step.publish(withPlatformDatasets(datasets.spec, datasets.resolved), artifact, { resolved, blobs: uploaded }),
        resolvePath: (path) => resolve(context.jobDir, path),
      });
      // What the spec asks for after training (a DISTILL's quantize and evaluate sections).
      const more = this.step.followUp ? await this.step.followUp(spec, { versions, announced, resolved }, context, this.api, resolveContext) : {};
      return { status: "succeeded", result: { exitCode: 0, versions, ...(Object.keys(blobs).length > 0 ? { blobs } : {}), ...more } };
    } catch (error) {
      return failureOutcome(context, error);
    }
  }
}

/** `<work-dir>/jobs/<jobId>/trainer`: beside the attempt directories, shared by all of them. */
export function trainerWorkDir(jobDir: string): string {
  return join(dirname(jobDir), "trainer");
}

/**
 * The directory of @distillery/trainer's package.json (the workspace libs/trainer), which holds
 * the distillery_trainer Python package. Falls back to the monorepo's layout when the workspace
 * is not linked into node_modules.
 */
export function findTrainerRoot(): string | undefined {
  try {
    return dirname(require.resolve("@distillery/trainer/package.json"));
  } catch {
    // dist/executors or src/executors, four levels below the repository root.
    const inRepo = resolve(__dirname, "..", "..", "..", "..", "libs", "trainer");
    return existsSync(join(inRepo, "distillery_trainer")) ? inRepo : undefined;
  }
}

/** The runner's environment without its token, the trainer on PYTHONPATH, and BLAS kept to one thread (torch has its own). */
function trainerEnv(root: string): NodeJS.ProcessEnv {
  const env = inheritedEnv();
  return { ...env, PYTHONPATH: env.PYTHONPATH ? `${root}:${env.PYTHONPATH}` : root, OPENBLAS_NUM_THREADS: "1" };
}

function userError(message: string): StepOutcome {
  return { status: "failed", kind: FailureKind.USER_ERROR, message };
}

function infraFailure(message: string): StepOutcome {
  return { status: "failed", kind: FailureKind.INFRA_ERROR, message };
}
