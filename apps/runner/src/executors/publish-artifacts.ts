import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { pipeline } from "node:stream/promises";
import { type ArtifactAnnouncement, LineageRelation, Precision } from "@distillery/domain";
import type { ArtifactApi } from "../api/runner-api";
import type { LineageParentInput, RegisterJobArtifactInput } from "../api/types";
import { describeError } from "@distillery/client";
import type { Logger } from "../log/logger";
import type { Backoff } from "../retry/backoff";
import { retrying } from "./retrying";
import type { StepReporter } from "./step-executor";
import { ARTIFACT_FORMATS, type ArtifactPublication, type PublishedBlob } from "./trainer-steps";

export interface PublishContext {
  api: ArtifactApi;
  jobId: string;
  leaseId: string;
  signal: AbortSignal;
  reporter: StepReporter;
  logger: Logger;
  /** How the step publishes an announced artifact, given the blobs uploaded so far; undefined: not at all. */
  publication(artifact: ArtifactAnnouncement, blobs: Readonly<Record<string, PublishedBlob>>): ArtifactPublication | undefined;
  /** Resolves a relative announced path (against the step's working directory). */
  resolvePath(path: string): string;
  backoff?: () => Backoff;
}

export interface Published {
  /** Each registered version's ref, by artifact name. */
  versions: Record<string, string>;
  /** Each blob-only artifact's digest (sha256:<hex>), by artifact name. */
  blobs: Record<string, string>;
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
 * Uploads the artifacts a step produced and registers those that are model versions. Artifacts
 * that are not models (npz, …) go first, so the versions whose metadata names them (an
 * extractor's reference statistics) can; otherwise announcement order. An artifact exported from
 * an earlier one (ArtifactTarget.exportedFrom, or metadata.exportedFrom) is registered
 * EXPORTED_FROM that one's version. Both calls are idempotent (a blob is content-addressed, a
 * registration is per run and artifact), so failures that may pass are retried, and a later
 * attempt of the job may do it all again. Throws PublishError; the caller looks at its cause
 * (lease lost, aborted) to decide what it means.
 */
export async function publishArtifacts(artifacts: ArtifactAnnouncement[], context: PublishContext): Promise<Published> {
  const versions: Record<string, string> = {};
  const blobs: Record<string, string> = {};
  const uploaded: Record<string, PublishedBlob> = {};
  const isModel = (artifact: ArtifactAnnouncement) => ARTIFACT_FORMATS[artifact.kind] !== undefined;
  const ordered = [...artifacts.filter((artifact) => !isModel(artifact)), ...artifacts.filter(isModel)];
  for (const artifact of ordered) {
    const publication = context.publication(artifact, uploaded);
    const format = ARTIFACT_FORMATS[artifact.kind];
    if (publication === undefined || (publication.as === "version" && format === undefined)) {
      context.reporter.log(`artifact ${artifact.name} (${artifact.kind}) is not registered`);
      continue;
    }
    const fail = (what: string) => (error: unknown) => {
      throw new PublishError(`cannot ${what} artifact ${artifact.name}: ${describeError(error)}`, artifact.name, error);
    };
    const { hex, size } = await upload(artifact, context).catch(fail("upload"));
    const digest = `sha256:${hex}`;
    if (publication.as === "blob") {
      blobs[artifact.name] = digest;
      uploaded[artifact.name] = { digest, metadata: artifact.metadata };
      context.reporter.log(`uploaded artifact ${artifact.name} as ${digest} (a blob, not a model version)`);
      context.logger.info("artifact uploaded", { artifact: artifact.name, digest, sizeBytes: size });
      continue;
    }
    const { target } = publication;
    const metadata = { ...artifact.metadata, ...target.metadata };
    const input: RegisterJobArtifactInput = {
      artifact: artifact.name,
      model: target.model,
      role: target.role,
      family: target.family,
      digest,
      format: format!,
      precision: target.precision ?? Precision.FP32,
      params: paramsOf(metadata),
      metadata,
      parents: [...(target.parents ?? []), ...exportParents(target.exportedFrom ?? artifact.metadata.exportedFrom, artifact, versions)],
    };
    const version = await retrying(
      `registration of ${artifact.name}`,
      () => context.api.registerJobArtifact(context.jobId, context.leaseId, input, context.signal),
      context,
    ).catch(fail("register"));
    versions[artifact.name] = version.ref;
    context.reporter.log(`registered artifact ${artifact.name} as ${version.ref}`);
    context.logger.info("artifact registered", { artifact: artifact.name, ref: version.ref, digest, sizeBytes: size });
  }
  return { versions, blobs };
}

/** Hashes the announced file, then streams it to the API under its digest. */
async function upload(artifact: ArtifactAnnouncement, context: PublishContext): Promise<{ hex: string; size: number }> {
  const path = context.resolvePath(artifact.path);
  const hashed = await sha256File(path).catch((error: unknown) => {
    throw new Error(`cannot read ${path}: ${describeError(error)}`, { cause: error });
  });
  context.reporter.log(`uploading artifact ${artifact.name}: ${hashed.size} bytes, sha256:${hashed.hex}`);
  await retrying(`upload of ${artifact.name}`, () => context.api.uploadBlob(hashed.hex, path, context.signal), context);
  return hashed;
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

function exportParents(from: unknown, artifact: ArtifactAnnouncement, versions: Record<string, string>): LineageParentInput[] {
  if (typeof from !== "string") return [];
  const ref = versions[from];
  if (ref === undefined) return [];
  const onnx = artifact.metadata.onnx;
  const opset = typeof onnx === "object" && onnx !== null ? (onnx as Record<string, unknown>).opset : undefined;
  return [{ ref, relation: LineageRelation.EXPORTED_FROM, recipe: typeof opset === "number" ? { opset } : {} }];
}
