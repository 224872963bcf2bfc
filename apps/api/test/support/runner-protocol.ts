import { expect } from "vitest";
import { createToken, uniqueName } from "./factories";
import type { GraphQLClient } from "./graphql-client";

/** Typed calls of the runner side of the protocol, for tests that play the runner themselves. */

export interface Lease {
  leaseId: string;
  leaseSeconds: number;
  leaseExpiresAt: string;
  job: { id: string; state: string; attempt: number };
  run: { id: string };
  experiment: { id: string; name: string; spec: Record<string, unknown> };
}

export async function createCommandExperiment(client: GraphQLClient, spec: Record<string, unknown> = { argv: ["true"] }) {
  const data = await client.ok<{ createExperiment: { id: string; name: string } }>(
    `mutation($input: CreateExperimentInput!) { createExperiment(input: $input) { id name } }`,
    { input: { name: uniqueName("exp"), kind: "COMMAND", spec } },
  );
  return data.createExperiment;
}

export async function launch(client: GraphQLClient, experiment: string, options: Record<string, unknown> = {}) {
  const data = await client.ok<{ launchExperiment: { id: string; number: number; status: string } }>(
    `mutation($input: LaunchExperimentInput!) { launchExperiment(input: $input) { id number status } }`,
    { input: { experiment, ...options } },
  );
  return data.launchExperiment;
}

/** A RUNNER-scoped client plus a registered runner id. */
export async function registerRunner(
  admin: GraphQLClient,
  overrides: { name?: string; labels?: string[]; capabilities?: string[]; device?: Record<string, unknown> } = {},
) {
  const client = admin.withToken((await createToken(admin, ["RUNNER"])).token);
  const data = await client.ok<{ registerRunner: { id: string; name: string } }>(
    `mutation($input: RegisterRunnerInput!) { registerRunner(input: $input) { id name } }`,
    {
      input: {
        name: overrides.name ?? uniqueName("runner"),
        labels: overrides.labels ?? [],
        capabilities: overrides.capabilities ?? ["command"],
        device: overrides.device ?? { kind: "CPU", name: "test cpu", memoryGb: 16 },
      },
    },
  );
  return { client, id: data.registerRunner.id, name: data.registerRunner.name };
}

export const ACQUIRE = `mutation($runner: ID!, $wait: Int) {
  acquireJob(runner: $runner, waitSeconds: $wait) {
    leaseId leaseSeconds leaseExpiresAt job { id state attempt } run { id } experiment { id name spec }
  }
}`;

export async function acquire(runner: { client: GraphQLClient; id: string }, waitSeconds = 0): Promise<Lease | null> {
  return (await runner.client.ok<{ acquireJob: Lease | null }>(ACQUIRE, { runner: runner.id, wait: waitSeconds })).acquireJob;
}

export async function acquireOrFail(runner: { client: GraphQLClient; id: string }, waitSeconds = 5): Promise<Lease> {
  const lease = await acquire(runner, waitSeconds);
  expect(lease, "expected a job to lease").not.toBeNull();
  return lease!;
}

export const HEARTBEAT = `mutation($job: ID!, $lease: ID!, $progress: Float) { heartbeat(job: $job, leaseId: $lease, progress: $progress) { cancelRequested leaseExpiresAt } }`;
export const LOG_METRICS = `mutation($job: ID!, $lease: ID!, $batch: String!, $points: [MetricPointInput!]!) {
  logMetrics(job: $job, leaseId: $lease, batchId: $batch, points: $points) { accepted duplicate }
}`;
export const APPEND_LOGS = `mutation($job: ID!, $lease: ID!, $offset: SafeInt!, $text: String!) { appendLogs(job: $job, leaseId: $lease, offset: $offset, text: $text) { nextOffset } }`;
export const COMPLETE = `mutation($job: ID!, $lease: ID!, $result: JSONObject) { completeJob(job: $job, leaseId: $lease, result: $result) { state attempt } }`;
export const FAIL = `mutation($job: ID!, $lease: ID!, $kind: FailureKind!, $message: String!) { failJob(job: $job, leaseId: $lease, kind: $kind, message: $message) { state attempt error } }`;

export const RUN = `query($id: ID!) {
  run(id: $id) {
    id number status attempt startedAt finishedAt result summary metricKeys progress waitingReason
    job { state attempt maxAttempts cancelRequested leaseExpiresAt notBefore failureKind error runner { name } }
  }
}`;

export async function runOf(client: GraphQLClient, id: string) {
  return (await client.ok(RUN, { id })).run;
}

/** `count` points of `key` at steps from..from+count-1, value = step / 1000. */
export function points(key: string, from: number, count: number) {
  return Array.from({ length: count }, (_, index) => ({ key, step: from + index, value: (from + index) / 1000 }));
}
