import { access } from "node:fs/promises";
import { join, resolve } from "node:path";
import { FailureKind, type ModelFormat, parseDigest } from "@distillery/domain";
import { ApiError, describeError } from "@distillery/client";
import type { InputApi } from "../api/runner-api";
import type { ResolvedModelVersion } from "../api/types";
import type { Logger } from "../log/logger";
import type { Backoff } from "../retry/backoff";
import { retrying } from "./retrying";
import type { StepContext, StepReporter } from "./step-executor";

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

/** The runner's --work-dir, from a job directory `<work-dir>/jobs/<jobId>/attempt-<N>` (job-dir.ts). */
export function runnerWorkDir(jobDir: string): string {
  return resolve(jobDir, "..", "..", "..");
}

/** Inputs are cached by digest in `<work-dir>/cache` (or `cacheDir`), shared by every job of this runner. */
export function resolveContextFor(context: StepContext, api: InputApi, cacheDir?: string): ResolveContext {
  return { api, cacheDir: cacheDir ?? join(runnerWorkDir(context.jobDir), "cache"), signal: context.signal, reporter: context.reporter, logger: context.logger };
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
  const { version, path } = await fetchModelVersion(ref, format, role, context);
  return { ref: version.ref, path, metadata: version.metadata ?? {} };
}

/** resolveModelInput with everything the registry said of the version (model, precision, children). */
export async function fetchModelVersion(ref: string, format: ModelFormat, role: string, context: ResolveContext): Promise<{ version: ResolvedModelVersion; path: string }> {
  const version = await lookUpModelVersion(ref, role, context);
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
  return { version, path };
}

/** What the registry says of `ref`; InputError USER_ERROR when it does not resolve. */
export async function lookUpModelVersion(ref: string, role: string, context: ResolveContext): Promise<ResolvedModelVersion> {
  try {
    return await retrying(`resolving the ${role} ${ref}`, () => context.api.modelVersion(ref, context.signal), context);
  } catch (error) {
    if (context.signal.aborted) throw error;
    if (error instanceof ApiError && (error.code === "NOT_FOUND" || error.code === "BAD_USER_INPUT")) {
      throw new InputError(`the ${role} ${ref} does not resolve: ${error.message.replace(/^ModelVersion: /, "")}`, FailureKind.USER_ERROR);
    }
    throw new InputError(`cannot resolve the ${role} ${ref}: ${describeError(error)}`, FailureKind.INFRA_ERROR);
  }
}

/** A platform dataset as spec.json hands it to the trainer: the npz blob in the runner's cache. */
export interface ResolvedDatasetSource {
  source: "npz";
  /** The blob, absolute, in the runner's cache. */
  path: string;
  /** name@v<N>: the version the spec's ref resolved to when the job started. */
  ref: string;
}

/** The spec fields that hold a dataset source, in every trainer kind that has them. */
export const DATASET_FIELDS = ["dataset", "testDataset"] as const;

/** A spec whose platform datasets are rewritten for the trainer, and what each became. */
export interface PlatformDatasets {
  spec: Record<string, unknown>;
  /** By spec field (only the fields that named a platform dataset). */
  resolved: Partial<Record<(typeof DATASET_FIELDS)[number], ResolvedDatasetSource>>;
}

/**
 * Every `{source: "platform", ref}` among the spec's dataset sources (DATASET_FIELDS) is resolved
 * with `dataset(ref)`, its npz blob made available in the cache (as a teacher's is), and replaced
 * by `{source: "npz", path, ref}`, which the trainer's loader reads. Other sources pass as they
 * are; `spec` itself is not changed. A ref that does not resolve is USER_ERROR, naming it.
 */
export async function resolvePlatformDatasets(spec: Record<string, unknown>, context: ResolveContext): Promise<PlatformDatasets> {
  const rewritten: Record<string, unknown> = { ...spec };
  const resolved: PlatformDatasets["resolved"] = {};
  // dataset and testDataset may name the same ref: one query, one download.
  const byRef = new Map<string, ResolvedDatasetSource>();
  for (const field of DATASET_FIELDS) {
    const source = spec[field];
    if (!isObject(source) || source.source !== "platform") continue;
    if (typeof source.ref !== "string" || source.ref === "") throw new InputError(`${field}: a platform dataset needs a ref (name or name@v<N>)`, FailureKind.USER_ERROR);
    const dataset = byRef.get(source.ref) ?? (await resolveDatasetInput(source.ref, field, context));
    byRef.set(source.ref, dataset);
    rewritten[field] = dataset;
    resolved[field] = dataset;
  }
  return { spec: rewritten, resolved };
}

/** One platform dataset ref (name or name@v<N>) to its npz in the cache; `role` names it in messages. */
export async function resolveDatasetInput(ref: string, role: string, context: ResolveContext): Promise<ResolvedDatasetSource> {
  let dataset;
  try {
    dataset = await retrying(`resolving the ${role} ${ref}`, () => context.api.dataset(ref, context.signal), context);
  } catch (error) {
    if (context.signal.aborted) throw error;
    if (error instanceof ApiError && (error.code === "NOT_FOUND" || error.code === "BAD_USER_INPUT")) {
      throw new InputError(`the ${role} ${ref} does not resolve: ${error.message.replace(/^Dataset: /, "")}`, FailureKind.USER_ERROR);
    }
    throw new InputError(`cannot resolve the ${role} ${ref}: ${describeError(error)}`, FailureKind.INFRA_ERROR);
  }
  const named = dataset.ref === ref ? ref : `${ref} (${dataset.ref})`;
  let hex: string;
  try {
    hex = parseDigest(dataset.digest);
  } catch {
    throw new InputError(`the ${role} ${named} has a digest the runner cannot read: ${dataset.digest}`, FailureKind.INFRA_ERROR);
  }
  const path = await cachedBlob(hex, context);
  context.reporter.log(`${role} ${named}: npz, sha256:${hex}, at ${path}`);
  return { source: "npz", path, ref: dataset.ref };
}

/**
 * `value` (an artifact's announced metadata) with every dataset source the trainer was handed
 * for a platform dataset put back as `{source: "platform", ref: "<name>@v<N>"}`: the cache path
 * means nothing off this machine, the resolved ref does everywhere (and a spec can use it as is).
 */
export function withPlatformDatasets<T>(value: T, datasets: PlatformDatasets["resolved"]): T {
  const sources = Object.values(datasets);
  if (sources.length === 0) return value;
  const restore = (item: unknown): unknown => {
    if (Array.isArray(item)) return item.map(restore);
    if (!isObject(item)) return item;
    const platform = item.source === "npz" && sources.find((source) => source.path === item.path && source.ref === item.ref);
    if (platform) return { source: "platform", ref: platform.ref };
    return Object.fromEntries(Object.entries(item).map(([key, entry]) => [key, restore(entry)]));
  };
  return restore(value) as T;
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

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
