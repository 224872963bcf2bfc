import { createHash, randomBytes } from "node:crypto";
import type { EvaluationMeasurements, EvaluationProtocolFields } from "@distillery/domain";
import type { ApiServer } from "./api-server";

/**
 * Evaluations seeded the way runners post them: postEvaluation under a real job lease, for model
 * versions registered with real (1 KiB) blobs. Used by the CLI's leaderboard test and the web
 * UI's end-to-end test.
 */
export interface EvaluationSeeder {
  /** A model of `role` with one version of 1 KiB; its ref. */
  version(name: string, role: string, precision: string): Promise<string>;
  /** Another version (1 KiB) of a model `version` created; its ref. */
  nextVersion(name: string, precision: string): Promise<string>;
  /** Posts one evaluation under the seeder's lease; resolves to the protocol key. */
  post(ref: string, protocol: EvaluationProtocolFields, measured: EvaluationMeasurements): Promise<string>;
}

export async function evaluationSeeder(server: ApiServer): Promise<EvaluationSeeder> {
  const ok = async (query: string, variables: Record<string, unknown> = {}, token?: string) => {
    const answer = await server.graphql(query, variables, token);
    if (answer.errors) throw new Error(`${JSON.stringify(answer.errors)}\n${server.output()}`);
    return answer.data;
  };

  // A runner holding the lease of a COMMAND job: evaluations are only accepted under a lease.
  const token = (await ok(`mutation { createApiToken(input: { name: "evaluator", scopes: [RUNNER] }) { token } }`)).createApiToken.token as string;
  const runner = await ok(
    `mutation { registerRunner(input: { name: "evaluator", capabilities: ["command"], device: { kind: CPU, name: "test cpu", memoryGb: 8 } }) { id } }`,
    {},
    token,
  );
  const experiment = await ok(`mutation { createExperiment(input: { name: "evaluations", kind: COMMAND, spec: { argv: ["true"] } }) { id } }`);
  await ok(`mutation($experiment: ID!) { launchExperiment(input: { experiment: $experiment }) { id } }`, { experiment: experiment.createExperiment.id });
  const lease = await ok(`mutation($runner: ID!) { acquireJob(runner: $runner, waitSeconds: 5) { leaseId job { id } } }`, { runner: runner.registerRunner.id }, token);
  const jobId = lease.acquireJob.job.id as string;
  const leaseId = lease.acquireJob.leaseId as string;

  async function nextVersion(name: string, precision: string): Promise<string> {
    const bytes = randomBytes(1024);
    const hex = createHash("sha256").update(bytes).digest("hex");
    const put = await fetch(`${server.url}/v1/blobs/sha256/${hex}`, { method: "PUT", headers: { authorization: `Bearer ${server.admin}` }, body: bytes });
    if (put.status !== 201) throw new Error(`the blob upload answered HTTP ${put.status}`);
    const data = await ok(`mutation($input: RegisterModelVersionInput!) { registerModelVersion(input: $input) { ref } }`, {
      input: { model: name, digest: `sha256:${hex}`, format: "ONNX", precision },
    });
    return data.registerModelVersion.ref as string;
  }

  return {
    async version(name, role, precision) {
      await ok(`mutation($input: CreateModelInput!) { createModel(input: $input) { id } }`, { input: { name, role, family: "unet" } });
      return nextVersion(name, precision);
    },
    nextVersion,
    async post(ref, protocol, measured) {
      const data = await ok(
        `mutation($input: PostEvaluationInput!) { postEvaluation(input: $input) { protocol { key } } }`,
        { input: { jobId, leaseId, version: ref, protocol, ...measured } },
        token,
      );
      return data.postEvaluation.protocol.key as string;
    },
  };
}

/** Protocol settings for seeded evaluations: `steps` tells protocols apart. */
export function seededProtocol(extractor: string, steps: number): EvaluationProtocolFields {
  return {
    dataset: "fashion-mnist@v1",
    extractor,
    referenceStats: `sha256:${"a".repeat(64)}`,
    samples: 2000,
    sampler: "ddim",
    steps,
    eta: 0,
    resolution: 16,
    batch: 64,
    threads: 2,
    hardware: "cpu:test",
  };
}
