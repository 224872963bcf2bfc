import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { pipeline } from "node:stream/promises";
import { type ArtifactAnnouncement, LineageRelation, Precision } from "@distillery/domain";
import { isServerError, isUnreachable } from "../api/api-error";
import type { ArtifactApi } from "../api/runner-api";
import type { LineageParentInput, RegisterJobArtifactInput } from "../api/types";
import { describeError, type Logger } from "../log/logger";
import { Backoff } from "../retry/backoff";
import { sleep } from "../retry/sleep";
import type { StepReporter } from "./step-executor";
import { ARTIFACT_FORMATS, type ArtifactTarget } from "./trainer-steps";

/** Tries per call after the first, for failures that may pass (API away, 5xx). */
const MAX_RETRIES = 4;

export interface PublishContext {
  api: ArtifactApi;
  jobId: string;
  leaseId: string;
  signal: AbortSignal;
  reporter: StepReporter;
  logger: Logger;
  /** Where the step's announced artifacts go; undefined: not registered. */
  target(artifact: ArtifactAnnouncement): ArtifactTarget | undefined;
  /** Resolves a relative announced path (against the step's working directory). */
  resolvePath(path: string): string;
  backoff?: () => Backoff;
}

/** Why publishing stopped short; the error is the last one seen. */
export class PublishError extends Error {
  override readonly name = "PublishError";

  constructor(
    message: string,
    readonly artifact: string,
    override readonly cause: unknown,
  ) {
    super(message);
  }
}

/**
 * Uploads and registers, in announcement order, the artifacts a step produced; returns each
 * registered one's ref by artifact name. An artifact whose metadata.exportedFrom names an
 * earlier one is registered EXPORTED_FROM that one's version. Both calls are idempotent (a blob
 * is content-addressed, a registration is per run and artifact), so failures that may pass are
 * retried, and a later attempt of the job may do it all again. Throws PublishError; the caller
 * looks at its cause (lease lost, aborted) to decide what it means.
 */
export async function publishArtifacts(artifacts: ArtifactAnnouncement[], context: PublishContext): Promise<Record<string, string>> {
  const refs: Record<string, string> = {};
  for (const artifact of artifacts) {
    const format = ARTIFACT_FORMATS[artifact.kind];
    const target = format === undefined ? undefined : context.target(artifact);
    if (format === undefined || target === undefined) {
      context.reporter.log(`artifact ${artifact.name} (${artifact.kind}) is not registered`);
      continue;
    }
    const path = context.resolvePath(artifact.path);
    const fail = (what: string) => (error: unknown) => {
      throw new PublishError(`cannot ${what} artifact ${artifact.name}: ${describeError(error)}`, artifact.name, error);
    };
    const { hex, size } = await sha256File(path).catch(fail(`read`));
    context.reporter.log(`uploading artifact ${artifact.name}: ${size} bytes, sha256:${hex}`);
    await retrying(`upload of ${artifact.name}`, () => context.api.uploadBlob(hex, path, context.signal), context).catch(fail("upload"));
    const input: RegisterJobArtifactInput = {
      artifact: artifact.name,
      model: target.model,
      role: target.role,
      family: target.family,
      digest: `sha256:${hex}`,
      format,
      precision: target.precision ?? Precision.FP32,
      params: paramsOf(artifact.metadata),
      metadata: artifact.metadata,
      parents: [...(target.parents ?? []), ...exportParents(artifact, refs)],
    };
    const version = await retrying(
      `registration of ${artifact.name}`,
      () => context.api.registerJobArtifact(context.jobId, context.leaseId, input, context.signal),
      context,
    ).catch(fail("register"));
    refs[artifact.name] = version.ref;
    context.reporter.log(`registered artifact ${artifact.name} as ${version.ref}`);
    context.logger.info("artifact registered", { artifact: artifact.name, ref: version.ref, digest: input.digest, sizeBytes: size });
  }
  return refs;
}

/** The file's sha256, read as a stream (artifacts can be larger than memory). */
export async function sha256File(path: string): Promise<{ hex: string; size: number }> {
  const hash = createHash("sha256");
  let size = 0;
  await pipeline(createReadStream(path), async function* (chunks: AsyncIterable<Buffer>) {
    for await (const chunk of chunks) {
      size += chunk.length;
      hash.update(chunk);
    }
  });
  return { hex: hash.digest("hex"), size };
}

function paramsOf(metadata: Record<string, unknown>): number | null {
  const params = metadata.params;
  return typeof params === "number" && Number.isSafeInteger(params) && params >= 0 ? params : null;
}

function exportParents(artifact: ArtifactAnnouncement, refs: Record<string, string>): LineageParentInput[] {
  const from = artifact.metadata.exportedFrom;
  if (typeof from !== "string") return [];
  const ref = refs[from];
  if (ref === undefined) return [];
  const onnx = artifact.metadata.onnx;
  const opset = typeof onnx === "object" && onnx !== null ? (onnx as Record<string, unknown>).opset : undefined;
  return [{ ref, relation: LineageRelation.EXPORTED_FROM, recipe: typeof opset === "number" ? { opset } : {} }];
}

/** `call`, again after a backoff while it fails in a way that may pass; never past `signal`. */
async function retrying<T>(what: string, call: () => Promise<T>, context: PublishContext): Promise<T> {
  const backoff = context.backoff?.() ?? new Backoff({ initialMs: 500, maxMs: 8_000 });
  for (;;) {
    try {
      return await call();
    } catch (error) {
      if (context.signal.aborted || !(isUnreachable(error) || isServerError(error)) || backoff.attempts >= MAX_RETRIES) throw error;
      const waitMs = backoff.next();
      context.logger.warn(`${what} failed; trying again`, { error, waitMs, retry: backoff.attempts });
      if (!(await sleep(waitMs, context.signal))) throw error;
    }
  }
}
