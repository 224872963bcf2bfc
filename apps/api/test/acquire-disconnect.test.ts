import { describe, expect, it } from "vitest";
import { ACQUIRE, acquireOrFail, createCommandExperiment, launch, registerRunner, runOf } from "./support/runner-protocol";
import { databaseKind } from "./support/test-database";
import { useTestServer } from "./support/use-test-server";
import { waitFor } from "./support/wait-for";

const api = useTestServer();

describe(`a runner that hangs up during acquireJob (${databaseKind})`, () => {
  it("stops being offered jobs: the next job goes to a runner that is still there", async () => {
    const gone = await registerRunner(api.admin, { labels: ["hangup"] });
    const before = await lastSeenOf(gone.name);
    const hangUp = new AbortController();
    const polling = fetch(`${api.server.url}/graphql`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${gone.client.token}` },
      body: JSON.stringify({ query: ACQUIRE, variables: { runner: gone.id, wait: 20 } }),
      signal: hangUp.signal,
    }).catch(() => null);
    // The server has started this long-poll once it marks the runner as seen.
    await waitFor("the long-poll to start", async () => ((await lastSeenOf(gone.name)) > before ? true : undefined));
    hangUp.abort();
    await polling;

    const present = await registerRunner(api.admin, { labels: ["hangup"] });
    const experiment = await createCommandExperiment(api.admin);
    const run = await launch(api.admin, experiment.id, { requirements: { labels: ["hangup"] } });
    const lease = await acquireOrFail(present, 10);
    expect(lease.run.id).toBe(run.id);
    expect(lease.job.attempt).toBe(1);
    expect((await runOf(api.admin, run.id)).job.runner.name).toBe(present.name);
  });
});

async function lastSeenOf(name: string): Promise<number> {
  const runners: Array<{ name: string; lastSeenAt: string }> = (await api.admin.ok(`{ runners { name lastSeenAt } }`)).runners;
  return Date.parse(runners.find((runner) => runner.name === name)!.lastSeenAt);
}
