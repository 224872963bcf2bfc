import { Client } from "pg";
import { describe, expect, it } from "vitest";
import { createToken, uniqueName } from "./support/factories";
import { createCommandExperiment, launch, type Lease } from "./support/runner-protocol";
import { databaseKind } from "./support/test-database";
import { useTestServer } from "./support/use-test-server";

const api = useTestServer({ DISTILLERY_LEASE_SECONDS: "600" });

const JOBS = 200;
const ACQUIRERS = 50;

describe(`${ACQUIRERS} runners racing for ${JOBS} jobs (${databaseKind})`, () => {
  it("leases every job exactly once, without deadlocks", async () => {
    const experiment = await createCommandExperiment(api.admin);
    const runIds = new Set<string>();
    for (let index = 0; index < JOBS; index += 1) runIds.add((await launch(api.admin, experiment.id)).id);

    const runnerClient = api.admin.withToken((await createToken(api.admin, ["RUNNER"])).token);
    const runners = await Promise.all(
      Array.from({ length: ACQUIRERS }, async () => {
        const data = await runnerClient.ok(`mutation($input: RegisterRunnerInput!) { registerRunner(input: $input) { id } }`, {
          input: { name: uniqueName("racer"), capabilities: ["command"], device: { kind: "CPU", memoryGb: 4 } },
        });
        return data.registerRunner.id as string;
      }),
    );

    // Every runner keeps acquiring until the queue is empty; all of them at once.
    const leasesByRunner = await Promise.all(
      runners.map(async (runner) => {
        const leases: Lease[] = [];
        for (;;) {
          const result = await runnerClient.request<{ acquireJob: Lease | null }>(
            `mutation($runner: ID!) { acquireJob(runner: $runner) { leaseId job { id attempt } run { id } } }`,
            { runner },
          );
          expect(result.errors, JSON.stringify(result.errors)).toBeUndefined();
          if (!result.data?.acquireJob) return leases;
          leases.push(result.data.acquireJob);
        }
      }),
    );

    const leases = leasesByRunner.flat();
    expect(leases).toHaveLength(JOBS);
    expect(new Set(leases.map((lease) => lease.job.id)).size).toBe(JOBS);
    expect(new Set(leases.map((lease) => lease.leaseId)).size).toBe(JOBS);
    expect(new Set(leases.map((lease) => lease.run.id))).toEqual(runIds);
    expect(leases.every((lease) => lease.job.attempt === 1)).toBe(true);
    // More than one runner won jobs: the claims really raced.
    expect(leasesByRunner.filter((won) => won.length > 0).length).toBeGreaterThan(1);

    const running = await api.admin.ok(`query($e: ID!) { runs(first: 1, filter: { experiment: $e, status: RUNNING }) { totalCount } }`, {
      e: experiment.id,
    });
    expect(running.runs.totalCount).toBe(JOBS);

    if (databaseKind === "postgresql") {
      // Checked in the database itself, not through the API's view of it.
      const client = new Client({ connectionString: api.server.databaseUrl! });
      await client.connect();
      try {
        const { rows } = await client.query(
          `SELECT count(*)::int AS jobs, count(DISTINCT lease_id)::int AS leases, max(attempt) AS max_attempt, min(attempt) AS min_attempt
             FROM job j JOIN run r ON r.id = j.run_id WHERE r.experiment_id = $1 AND j.state = 'leased'`,
          [experiment.id],
        );
        expect(rows[0]).toEqual({ jobs: JOBS, leases: JOBS, max_attempt: 1, min_attempt: 1 });
      } finally {
        await client.end();
      }
    }
  });
});
