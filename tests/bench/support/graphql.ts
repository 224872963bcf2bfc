/**
 * A small GraphQL-over-HTTP client for the benchmarks: node:http with a keep-alive agent (cheaper
 * per request than fetch, so the client steals less CPU from the server it measures), and the
 * documents of the runner protocol (as in apps/api/test/support/runner-protocol.ts).
 */
import { randomBytes } from "node:crypto";
import * as http from "node:http";

export class GraphQLRequestError extends Error {}

const sharedAgent = new http.Agent({ keepAlive: true, maxSockets: Infinity, maxFreeSockets: 256 });

export class GraphQLClient {
  constructor(
    readonly base: string,
    readonly token: string,
    private readonly agent: http.Agent = sharedAgent,
  ) {}

  withToken(token: string): GraphQLClient {
    return new GraphQLClient(this.base, token, this.agent);
  }

  /** Serializes an operation once, to send it later (possibly many times) with `send`. */
  static body(query: string, variables: Record<string, unknown> = {}): string {
    return JSON.stringify({ query, variables });
  }

  /** Runs an operation that must succeed; returns its data. */
  ok<T = Record<string, any>>(query: string, variables: Record<string, unknown> = {}): Promise<T> {
    return this.send<T>(GraphQLClient.body(query, variables));
  }

  /** POSTs a serialized operation; throws on a non-200 answer or on GraphQL errors. */
  send<T = Record<string, any>>(body: string): Promise<T> {
    return new Promise((resolve, reject) => {
      const req = http.request(
        `${this.base}/graphql`,
        {
          method: "POST",
          agent: this.agent,
          headers: {
            "content-type": "application/json",
            "content-length": Buffer.byteLength(body),
            authorization: `Bearer ${this.token}`,
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (c: Buffer) => chunks.push(c));
          res.on("error", reject);
          res.on("end", () => {
            const text = Buffer.concat(chunks).toString("utf8");
            let parsed: { data?: T | null; errors?: Array<{ message: string; extensions?: { reason?: string } }> };
            try {
              parsed = JSON.parse(text);
            } catch {
              reject(new GraphQLRequestError(`HTTP ${res.statusCode}: ${text.slice(0, 500)}`));
              return;
            }
            if (parsed.errors !== undefined && parsed.errors.length > 0) {
              const e = parsed.errors[0]!;
              reject(new GraphQLRequestError(`${e.extensions?.reason ?? "ERROR"}: ${e.message}`));
            } else if (res.statusCode !== 200 || parsed.data == null) {
              reject(new GraphQLRequestError(`HTTP ${res.statusCode}: ${text.slice(0, 500)}`));
            } else {
              resolve(parsed.data);
            }
          });
        },
      );
      req.on("error", reject);
      req.end(body);
    });
  }
}

export function uniqueName(prefix: string): string {
  return `${prefix}-${process.pid}-${randomBytes(4).toString("hex")}`;
}

export async function createToken(admin: GraphQLClient, scopes: string[]): Promise<string> {
  const data = await admin.ok<{ createApiToken: { token: string } }>(
    `mutation($input: CreateApiTokenInput!) { createApiToken(input: $input) { token } }`,
    { input: { name: uniqueName("bench-token"), scopes } },
  );
  return data.createApiToken.token;
}

export async function createCommandExperiment(admin: GraphQLClient, spec: Record<string, unknown> = { argv: ["true"] }): Promise<string> {
  const data = await admin.ok<{ createExperiment: { id: string } }>(
    `mutation($input: CreateExperimentInput!) { createExperiment(input: $input) { id } }`,
    { input: { name: uniqueName("bench-exp"), kind: "COMMAND", spec } },
  );
  return data.createExperiment.id;
}

/** Launches a run with the default requirements; returns the run id. */
export async function launch(admin: GraphQLClient, experiment: string): Promise<string> {
  const data = await admin.ok<{ launchExperiment: { id: string } }>(
    `mutation($input: LaunchExperimentInput!) { launchExperiment(input: $input) { id } }`,
    { input: { experiment } },
  );
  return data.launchExperiment.id;
}

export interface Runner {
  client: GraphQLClient;
  id: string;
}

/** Registers a CPU runner with the "command" capability, acting with a RUNNER-scoped client. */
export async function registerRunner(runnerClient: GraphQLClient, name = uniqueName("bench-runner")): Promise<Runner> {
  const data = await runnerClient.ok<{ registerRunner: { id: string } }>(
    `mutation($input: RegisterRunnerInput!) { registerRunner(input: $input) { id } }`,
    { input: { name, labels: [], capabilities: ["command"], device: { kind: "CPU", name: "bench cpu", memoryGb: 16 } } },
  );
  return { client: runnerClient, id: data.registerRunner.id };
}

/** As the runner sends it (apps/api/test/support/runner-protocol.ts ACQUIRE). */
export const ACQUIRE = `mutation($runner: ID!, $wait: Int) {
  acquireJob(runner: $runner, waitSeconds: $wait) {
    leaseId leaseSeconds leaseExpiresAt job { id state attempt } run { id } experiment { id name spec }
  }
}`;

export interface Lease {
  leaseId: string;
  job: { id: string; state: string; attempt: number };
  run: { id: string };
}

export async function acquire(runner: Runner, waitSeconds = 0): Promise<Lease | null> {
  return (await runner.client.ok<{ acquireJob: Lease | null }>(ACQUIRE, { runner: runner.id, wait: waitSeconds })).acquireJob;
}

export const LOG_METRICS = `mutation($job: ID!, $lease: ID!, $batch: String!, $points: [MetricPointInput!]!) {
  logMetrics(job: $job, leaseId: $lease, batchId: $batch, points: $points) { accepted duplicate }
}`;
