import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { requiredCapabilities } from "@distillery/domain";
import { EvaluateExecutor, QuantizeExecutor } from "../executors/onnx/onnx-executors";
import { GraphQLClient } from "@distillery/client";
import { RunnerApi } from "../api/runner-api";
import type { RegisterRunnerInput } from "../api/types";
import type { RunnerConfig } from "../cli/parse-args";
import { detectCapabilities } from "../device/detect-capabilities";
import { detectDevice } from "../device/detect-device";
import { CommandExecutor } from "../executors/command-executor";
import { ExecutorRegistry } from "../executors/executor-registry";
import { TrainerExecutor } from "../executors/trainer-executor";
import { TRAINER_STEPS } from "../executors/trainer-steps";
import { type JobResult, runJob } from "../job/run-job";
import type { Logger } from "../log/logger";
import { Outbox } from "../spool/outbox";
import { SpoolStore } from "../spool/spool-store";
import { acquireNextJob } from "./acquire";
import { registerRunner } from "./register";
import { lockWorkDir } from "./work-dir-lock";

/** After SIGTERM, what is still spooled gets this long to reach the API; the rest waits on disk for the next start. */
const SHUTDOWN_DRAIN_MS = 5_000;

/**
 * The runner's life: detect the machine, replay any spool, register, then lease and run jobs
 * one at a time until `shutdown` aborts (or after one job with --once). Resolves to the exit
 * status; a FatalError ends it early with its own.
 */
export async function runAgent(config: RunnerConfig, logger: Logger, shutdown: AbortSignal): Promise<number> {
  await mkdir(config.workDir, { recursive: true });
  const lock = await lockWorkDir(config.workDir);
  try {
    const [device, capabilities] = await Promise.all([detectDevice(), detectCapabilities(config)]);
    logger.info("detected this machine", { device, capabilities, python: config.python, workDir: config.workDir });
    const api = new RunnerApi(new GraphQLClient(config.apiUrl, config.token));
    const outbox = await Outbox.open(new SpoolStore(join(config.workDir, "spool")), api, logger);
    try {
      const registration: RegisterRunnerInput = { name: config.name, labels: config.labels, capabilities, device };
      let runner = await registerRunner(api, registration, shutdown, logger);
      if (!runner) return await finish(outbox, config, undefined, shutdown, logger);
      const executors = new ExecutorRegistry([
        ...(config.allowCommandJobs ? [new CommandExecutor()] : []),
        // Trainer kinds whose requirements this machine meets (PRETRAIN: torch importable).
        ...TRAINER_STEPS.filter((step) => requiredCapabilities(step.kind).every((needed) => capabilities.includes(needed))).map((step) => new TrainerExecutor(step, api)),
        // QUANTIZE and EVALUATE run here, in onnxruntime-node.
        ...(capabilities.includes("onnx") ? [new QuantizeExecutor(api), new EvaluateExecutor(api)] : []),
      ]);
      const deps = { api, outbox, executors, runnerName: config.name, workDir: config.workDir, killGraceMs: config.killGraceSeconds * 1000, python: config.python, logger };
      logger.info("waiting for jobs", { api: config.apiUrl, kinds: executors.kinds });
      let last: JobResult | undefined;
      while (!shutdown.aborted) {
        const lease = await acquireNextJob(
          api,
          () => runner?.id ?? "",
          async () => {
            runner = (await registerRunner(api, registration, shutdown, logger)) ?? runner;
          },
          shutdown,
          logger,
        );
        if (!lease) break;
        last = await runJob(lease, deps, shutdown);
        if (config.once) break;
      }
      return await finish(outbox, config, last, shutdown, logger);
    } finally {
      await outbox.close();
    }
  } finally {
    await lock.release();
  }
}

/**
 * Lets the spool drain: fully with --once (the job's result must get through), briefly after a
 * shutdown signal. Returns the exit status.
 */
async function finish(outbox: Outbox, config: RunnerConfig, last: JobResult | undefined, shutdown: AbortSignal, logger: Logger): Promise<number> {
  if (config.once && !shutdown.aborted) {
    await Promise.race([outbox.idle(), new Promise((resolve) => shutdown.addEventListener("abort", resolve, { once: true }))]);
  }
  const drained = await outbox.drain(SHUTDOWN_DRAIN_MS);
  if (!drained) logger.warn("the API has not taken everything; the rest stays in the spool for the next start", { pending: outbox.pending });
  logger.info("stopped", { lastJob: last ?? null });
  if (!config.once) return 0;
  return last === "succeeded" ? 0 : 1;
}
