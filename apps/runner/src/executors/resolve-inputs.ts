import { access } from "node:fs/promises";
import { join } from "node:path";
import { FailureKind, type ModelFormat, parseDigest } from "@distillery/domain";
import { ApiError } from "../api/api-error";
import type { InputApi } from "../api/runner-api";
import { describeError, type Logger } from "../log/logger";
import type { Backoff } from "../retry/backoff";
import { retrying } from "./retrying";
import type { StepReporter } from "./step-executor";

/** What a step's resolver may use before its trainer starts. */
export interface ResolveContext {
  api: InputApi;
  /** `<work-dir>/cache`: downloaded inputs by digest (`sha256/<hex>`), shared by every job of this runner. */
  cacheDir: string;
  signal: AbortSignal;
  reporter: StepReporter;
  logger: Logger;
  backoff?: () => Backoff;
}

/** A model version handed to the trainer: spec.json's `resolved.<name>`. */
export interface ResolvedModel {
  /** name@v<N>: the version the spec's ref resolved to when the job started. */
  ref: string;
  /** The version's blob, absolute, in the runner's cache. */
  path: string;
  metadata: Record<string, unknown>;
}

/** An input the job cannot have; `kind` says whose problem it is (and so whether a retry may help). */
export class InputError extends Error {
  override readonly name = "InputError";

  constructor(
    message: string,
    readonly kind: FailureKind,
  ) {
    super(message);
  }
}

/**
 * Resolves `ref` (name, name@v<N> or name@<alias>) to a version of `format` and makes its blob
 * available locally. `role` names the input in messages ("teacher"). A ref that does not resolve,
 * or resolves to another format, is the experiment's mistake (USER_ERROR); an API that stays away
 * is INFRA_ERROR, and a retry of the job tries again.
 */
export async function resolveModelInput(ref: string, format: ModelFormat, role: string, context: ResolveContext): Promise<ResolvedModel> {
  let version;
  try {
    version = await retrying(`resolving the ${role} ${ref}`, () => context.api.modelVersion(ref, context.signal), context);
  } catch (error) {
    if (context.signal.aborted) throw error;
    if (error instanceof ApiError && (error.code === "NOT_FOUND" || error.code === "BAD_USER_INPUT")) {
      throw new InputError(`the ${role} ${ref} does not resolve: ${error.message.replace(/^ModelVersion: /, "")}`, FailureKind.USER_ERROR);
    }
    throw new InputError(`cannot resolve the ${role} ${ref}: ${describeError(error)}`, FailureKind.INFRA_ERROR);
  }
  const named = version.ref === ref ? ref : `${ref} (${version.ref})`;
  if (version.format !== format) {
    throw new InputError(`the ${role} ${named} is ${version.format}, not ${format}: name a ${format} version of the model`, FailureKind.USER_ERROR);
  }
  let hex: string;
  try {
    hex = parseDigest(version.digest);
  } catch {
    throw new InputError(`the ${role} ${named} has a digest the runner cannot read: ${version.digest}`, FailureKind.INFRA_ERROR);
  }
  const path = await cachedBlob(hex, context);
  context.reporter.log(`${role} ${named}: ${format}, sha256:${hex}, at ${path}`);
  return { ref: version.ref, path, metadata: version.metadata ?? {} };
}

/**
 * `<cacheDir>/sha256/<hex>`, downloaded the first time it is needed. The download lands there
 * only once its bytes are verified (see BlobClient.download), so a file that is there is whole.
 */
export async function cachedBlob(hex: string, context: ResolveContext): Promise<string> {
  const path = join(context.cacheDir, "sha256", hex);
  if (await exists(path)) {
    context.logger.info("input blob cached", { digest: `sha256:${hex}`, path });
    return path;
  }
  context.reporter.log(`downloading sha256:${hex}`);
  try {
    const { sizeBytes } = await retrying(`download of sha256:${hex}`, () => context.api.downloadBlob(hex, path, context.signal), context);
    context.reporter.log(`downloaded sha256:${hex}: ${sizeBytes} bytes`);
    context.logger.info("input blob downloaded", { digest: `sha256:${hex}`, path, sizeBytes });
  } catch (error) {
    if (context.signal.aborted) throw error;
    throw new InputError(`cannot download sha256:${hex}: ${describeError(error)}`, FailureKind.INFRA_ERROR);
  }
  return path;
}

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}
