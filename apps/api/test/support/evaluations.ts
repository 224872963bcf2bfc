import { createHash } from "node:crypto";
import type { EvaluationMeasurements, EvaluationProtocolFields } from "@distillery/domain";
import { createModel, registerVersion, uploadBlob } from "./factories";
import type { GraphQLClient } from "./graphql-client";
import { acquireOrFail, createCommandExperiment, launch, type Lease, registerRunner } from "./runner-protocol";

/** Typed calls for evaluations, protocols and the leaderboard. */

export const EVALUATION_FIELDS = `id fid latencyP50Ms latencyP95Ms throughput peakMemoryBytes params sizeBytes details createdAt
  version { id ref } run { id }
  protocol { key dataset extractor { id ref } referenceStats samples sampler steps eta resolution batch threads hardware evaluationCount }`;

export const POST_EVALUATION = `mutation($input: PostEvaluationInput!) { postEvaluation(input: $input) { ${EVALUATION_FIELDS} } }`;
export const EVALUATIONS = `query($version: String!) { evaluations(version: $version) { ${EVALUATION_FIELDS} } }`;
export const PROTOCOLS = `{ protocols { key dataset hardware evaluationCount createdAt extractor { ref } } }`;
export const LEADERBOARD = `query($protocol: String!, $filter: LeaderboardFilter, $orderBy: LeaderboardOrder, $descending: Boolean,
                                 $pareto: Boolean, $first: Int, $after: String) {
  leaderboard(protocol: $protocol, filter: $filter, orderBy: $orderBy, descending: $descending, pareto: $pareto, first: $first, after: $after) {
    totalCount endCursor hasNextPage protocol { key }
    rows { version { id ref } evaluation { id fid run { id } } fid latencyP50Ms latencyP95Ms throughput peakMemoryBytes params sizeBytes dominated }
  }
}`;

export type ProtocolSettings = EvaluationProtocolFields;

/** A registered EXTRACTOR model with one version. */
export async function createExtractor(admin: GraphQLClient) {
  const model = await createModel(admin, { role: "EXTRACTOR", family: "cnn-extractor" });
  const version = await registerVersion(admin, model.name);
  return { model: model.name, id: version.id, ref: version.ref };
}

export function protocolSettings(extractorRef: string, overrides: Partial<ProtocolSettings> = {}): ProtocolSettings {
  return {
    dataset: "fashion-mnist@v1",
    extractor: extractorRef,
    referenceStats: `sha256:${"a".repeat(64)}`,
    samples: 2000,
    sampler: "ddim",
    steps: 50,
    eta: 0,
    resolution: 16,
    batch: 64,
    threads: 2,
    hardware: "cpu:test",
    ...overrides,
  };
}

/** What the API promises the key is: sha256 of the settings' JSON with sorted keys, the extractor as its version id. */
export function expectedKey(settings: ProtocolSettings, extractorVersionId: string): string {
  const fields: Record<string, unknown> = { ...settings, extractor: extractorVersionId };
  const sorted = Object.fromEntries(Object.keys(fields).sort().map((key) => [key, fields[key]]));
  return createHash("sha256").update(JSON.stringify(sorted)).digest("hex");
}

export interface Measurements extends EvaluationMeasurements {
  details?: Record<string, unknown>;
}

export function measurements(overrides: Partial<Measurements> = {}): Measurements {
  return { fid: 12.5, latencyP50Ms: 40, latencyP95Ms: 55, throughput: 25, peakMemoryBytes: 3_000_000_000, params: 500_000, ...overrides };
}

/** A runner holding the lease of a freshly launched job. */
export async function leasedJob(admin: GraphQLClient): Promise<{ runner: Awaited<ReturnType<typeof registerRunner>>; lease: Lease; runId: string }> {
  const runner = await registerRunner(admin);
  await launch(admin, (await createCommandExperiment(admin)).id);
  const lease = await acquireOrFail(runner);
  return { runner, lease, runId: lease.run.id };
}

export function evaluationInput(lease: Lease, version: string, protocol: ProtocolSettings, measured: Measurements) {
  return { jobId: lease.job.id, leaseId: lease.leaseId, version, protocol, ...measured };
}

/** A model with one version of `sizeBytes` bytes. */
export async function versionOf(admin: GraphQLClient, options: { role?: string; family?: string; precision?: string; sizeBytes?: number } = {}) {
  const model = await createModel(admin, { role: options.role ?? "STUDENT", family: options.family ?? "unet" });
  const digest = await uploadBlob(admin, options.sizeBytes ?? 256);
  const version = await registerVersion(admin, model.name, { digest, precision: options.precision ?? "FP32" });
  return { id: version.id, ref: version.ref };
}
