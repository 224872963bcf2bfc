import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { uniqueName } from "./support/factories";
import { acquireOrFail, createCommandExperiment, FAIL, launch, registerRunner } from "./support/runner-protocol";
import { databaseKind } from "./support/test-database";
import { useTestServer } from "./support/use-test-server";
import { waitFor } from "./support/wait-for";

/**
 * The user side of experiments and runs. Runners go offline after a few seconds here, so the
 * waiting reasons can be walked from "no runner is online" on; a long backoff keeps a failed job
 * visibly waiting for its retry.
 */
const api = useTestServer({ DISTILLERY_RUNNER_ONLINE_SECONDS: "4", DISTILLERY_RETRY_BACKOFF_SECONDS: "60" });

const CREATE = `mutation($input: CreateExperimentInput!) { createExperiment(input: $input) { id name kind spec tags createdBy createdAt } }`;
const EXPERIMENT = `query($id: ID!) { experiment(id: $id) { id name kind spec tags createdBy } }`;
const EXPERIMENTS = `query($first: Int, $after: String, $filter: ExperimentFilter) {
  experiments(first: $first, after: $after, filter: $filter) {
    totalCount pageInfo { hasNextPage endCursor } edges { cursor node { name } }
  }
}`;
const LAUNCH = `mutation($input: LaunchExperimentInput!) {
  launchExperiment(input: $input) {
    id number status attempt createdBy startedAt finishedAt progress result summary metricKeys waitingReason
    experiment { id } retryOf { id }
    requirements { device minMemoryGb labels capabilities }
    job { state attempt maxAttempts priority cancelRequested leaseExpiresAt failureKind error runner { name } }
    logs { text totalBytes nextOffset }
  }
}`;
const RUN = `query($id: ID!) {
  run(id: $id) {
    id number status attempt startedAt finishedAt waitingReason experiment { id } retryOf { id number }
    requirements { device minMemoryGb labels capabilities }
    job { state attempt maxAttempts priority cancelRequested notBefore failureKind error }
  }
}`;
const RUNS = `query($first: Int, $after: String, $filter: RunFilter) {
  runs(first: $first, after: $after, filter: $filter) {
    totalCount pageInfo { hasNextPage endCursor } edges { node { id number status } }
  }
}`;
const EXPERIMENT_RUNS = `query($id: ID!, $first: Int, $after: String, $filter: RunFilter) {
  experiment(id: $id) {
    runs(first: $first, after: $after, filter: $filter) {
      totalCount pageInfo { hasNextPage endCursor } edges { node { number status experiment { id } } }
    }
  }
}`;
const CANCEL = `mutation($id: ID!) { cancelRun(id: $id) { id number status finishedAt waitingReason job { state cancelRequested } } }`;
const RETRY = `mutation($id: ID!) {
  retryRun(id: $id) {
    id number status attempt retryOf { id number } experiment { id }
    requirements { device minMemoryGb labels capabilities }
    job { state attempt maxAttempts priority cancelRequested }
  }
}`;
const WAITING = `query($id: ID!) { experiment(id: $id) { runs(first: 100) { edges { node { id waitingReason } } } } }`;

async function experimentCount(filter: Record<string, unknown> = {}): Promise<number> {
  return (await api.admin.ok(EXPERIMENTS, { first: 1, filter })).experiments.totalCount;
}

async function runCount(experiment: string): Promise<number> {
  return (await api.admin.ok(RUNS, { first: 1, filter: { experiment } })).runs.totalCount;
}

/** The waiting reason of every run of the experiment, by run id. */
async function waitingReasons(experiment: string): Promise<Record<string, string | null>> {
  const edges = (await api.admin.ok(WAITING, { id: experiment })).experiment.runs.edges as Array<{ node: { id: string; waitingReason: string | null } }>;
  return Object.fromEntries(edges.map(({ node }) => [node.id, node.waitingReason]));
}

describe(`experiments (${databaseKind})`, () => {
  it("validates the spec and stores it with the kind's defaults filled in", async () => {
    const name = uniqueName("exp");
    const created = (await api.admin.ok(CREATE, { input: { name, kind: "COMMAND", spec: { argv: ["python", "train.py"] }, tags: ["nightly", "cpu", "nightly"] } }))
      .createExperiment;
    expect(created).toMatchObject({
      name,
      kind: "COMMAND",
      spec: { argv: ["python", "train.py"], env: {}, timeoutSeconds: 3600 },
      tags: ["cpu", "nightly"],
      createdBy: "admin",
    });
    expect((await api.admin.ok(EXPERIMENT, { id: created.id })).experiment).toEqual({
      id: created.id,
      name,
      kind: "COMMAND",
      spec: { argv: ["python", "train.py"], env: {}, timeoutSeconds: 3600 },
      tags: ["cpu", "nightly"],
      createdBy: "admin",
    });

    const explicit = (
      await api.admin.ok(CREATE, { input: { name: uniqueName("exp"), kind: "COMMAND", spec: { argv: ["true"], env: { SEED: "7" }, timeoutSeconds: 60 } } })
    ).createExperiment;
    expect(explicit.spec).toEqual({ argv: ["true"], env: { SEED: "7" }, timeoutSeconds: 60 });
  });

  it.each([
    ["no argv", {}],
    ["an empty argv", { argv: [] }],
    ["an empty argument", { argv: [""] }],
    ["an unknown field", { argv: ["true"], shell: true }],
    ["a bad environment variable name", { argv: ["true"], env: { "1BAD": "x" } }],
    ["a negative timeout", { argv: ["true"], timeoutSeconds: -1 }],
    ["a fractional timeout", { argv: ["true"], timeoutSeconds: 1.5 }],
    ["a timeout over a week", { argv: ["true"], timeoutSeconds: 8 * 24 * 3600 }],
  ])("refuses a spec with %s as BAD_USER_INPUT/INVALID_SPEC and creates nothing", async (_what, spec) => {
    const name = uniqueName("exp");
    const before = await experimentCount();
    const error = await api.admin.fails(CREATE, { input: { name, kind: "COMMAND", spec } }, "BAD_USER_INPUT", "INVALID_SPEC");
    expect(error.extensions.details).toMatchObject({ kind: "COMMAND", problems: expect.arrayContaining([expect.any(String)]) });
    expect(await experimentCount()).toBe(before);
    expect(await experimentCount({ nameContains: name })).toBe(0);
  });

  it("refuses a bad name, bad tags and an unknown kind without creating anything", async () => {
    const before = await experimentCount();
    await api.admin.fails(CREATE, { input: { name: "Not A Slug", kind: "COMMAND", spec: { argv: ["true"] } } }, "BAD_USER_INPUT", "INVALID_NAME");
    await api.admin.fails(CREATE, { input: { name: uniqueName("exp"), kind: "COMMAND", spec: { argv: ["true"] }, tags: ["Bad Tag"] } }, "BAD_USER_INPUT", "INVALID_ARGUMENT");
    await api.admin.fails(CREATE, { input: { name: uniqueName("exp"), kind: "ALCHEMY", spec: { argv: ["true"] } } }, "BAD_USER_INPUT", "INVALID_ARGUMENT");
    expect(await experimentCount()).toBe(before);
  });

  it("refuses a duplicate name with CONFLICT/EXPERIMENT_EXISTS and keeps the first", async () => {
    const first = await createCommandExperiment(api.admin, { argv: ["echo", "original"] });
    const before = await experimentCount();
    await api.admin.fails(CREATE, { input: { name: first.name, kind: "COMMAND", spec: { argv: ["echo", "impostor"] } } }, "CONFLICT", "EXPERIMENT_EXISTS");
    expect(await experimentCount()).toBe(before);
    expect((await api.admin.ok(EXPERIMENT, { id: first.id })).experiment.spec).toMatchObject({ argv: ["echo", "original"] });
  });

  it("keeps exactly one experiment when the same name is created concurrently", async () => {
    const name = uniqueName("racy");
    const results = await Promise.all(
      Array.from({ length: 6 }, () => api.admin.request(CREATE, { input: { name, kind: "COMMAND", spec: { argv: ["true"] } } })),
    );
    expect(results.filter((result) => !result.errors)).toHaveLength(1);
    for (const failed of results.filter((result) => result.errors)) {
      expect(failed.errors?.[0]?.extensions).toMatchObject({ code: "CONFLICT", reason: "EXPERIMENT_EXISTS" });
    }
    expect(await experimentCount({ nameContains: name })).toBe(1);
  });

  it("answers NOT_FOUND/EXPERIMENT_NOT_FOUND for an unknown id and BAD_USER_INPUT for a malformed one", async () => {
    await api.admin.fails(EXPERIMENT, { id: randomUUID() }, "NOT_FOUND", "EXPERIMENT_NOT_FOUND");
    await api.admin.fails(EXPERIMENT, { id: "not-a-uuid" }, "BAD_USER_INPUT", "INVALID_ARGUMENT");
  });

  it("lists experiments newest first, pages with cursors and filters by name, tag and kind", async () => {
    const marker = uniqueName("list");
    const names = [`${marker}-a`, `${marker}-b`, `${marker}-c`, `${marker}-d`, `${marker}-e`];
    for (const [index, name] of names.entries()) {
      await api.admin.ok(CREATE, { input: { name, kind: "COMMAND", spec: { argv: ["true"] }, tags: index % 2 === 0 ? ["even"] : [] } });
    }
    const seen: string[] = [];
    let after: string | null = null;
    let pages = 0;
    do {
      const page: any = (await api.admin.ok(EXPERIMENTS, { first: 2, after, filter: { nameContains: marker } })).experiments;
      expect(page.totalCount).toBe(5);
      expect(page.edges.length).toBeLessThanOrEqual(2);
      seen.push(...page.edges.map((edge: any) => edge.node.name));
      after = page.pageInfo.hasNextPage ? page.pageInfo.endCursor : null;
      pages += 1;
    } while (after);
    expect(seen).toEqual([...names].reverse());
    expect(pages).toBe(3);

    const even = (await api.admin.ok(EXPERIMENTS, { first: 10, filter: { nameContains: marker, tag: "even" } })).experiments;
    expect(even.edges.map((edge: any) => edge.node.name)).toEqual([names[4], names[2], names[0]]);
    const byKind = (await api.admin.ok(EXPERIMENTS, { first: 10, filter: { nameContains: marker.toUpperCase(), kind: "COMMAND" } })).experiments;
    expect(byKind.totalCount).toBe(5);
    expect((await api.admin.ok(EXPERIMENTS, { first: 10, filter: { nameContains: "%" } })).experiments.totalCount).toBe(0);

    await api.admin.fails(EXPERIMENTS, { first: 101 }, "BAD_USER_INPUT", "INVALID_ARGUMENT");
    await api.admin.fails(EXPERIMENTS, { first: 0 }, "BAD_USER_INPUT", "INVALID_ARGUMENT");
    await api.admin.fails(EXPERIMENTS, { first: 10, after: "not-a-cursor" }, "BAD_USER_INPUT", "INVALID_CURSOR");
  });
});

describe(`launching runs (${databaseKind})`, () => {
  it("queues a run with the default requirements and numbers runs 1, 2, 3 per experiment", async () => {
    const first = await createCommandExperiment(api.admin);
    const second = await createCommandExperiment(api.admin);
    const run = (await api.admin.ok(LAUNCH, { input: { experiment: first.id } })).launchExperiment;
    expect(run).toMatchObject({
      number: 1,
      status: "QUEUED",
      attempt: 0,
      createdBy: "admin",
      startedAt: null,
      finishedAt: null,
      progress: null,
      result: null,
      summary: {},
      metricKeys: [],
      experiment: { id: first.id },
      retryOf: null,
      requirements: { device: "ANY", minMemoryGb: 0, labels: [], capabilities: ["command"] },
      job: { state: "QUEUED", attempt: 0, maxAttempts: 3, priority: 0, cancelRequested: false, leaseExpiresAt: null, failureKind: null, error: null, runner: null },
      logs: { text: "", totalBytes: 0, nextOffset: 0 },
    });
    expect(run.waitingReason).toEqual(expect.any(String));

    expect((await launch(api.admin, second.id)).number).toBe(1);
    expect((await launch(api.admin, first.id)).number).toBe(2);
    expect((await launch(api.admin, second.id)).number).toBe(2);
    expect((await launch(api.admin, first.id)).number).toBe(3);
    expect(await runCount(first.id)).toBe(3);
    expect(await runCount(second.id)).toBe(2);
  });

  it("hands out distinct, gap-free numbers to concurrent launches", async () => {
    const experiment = await createCommandExperiment(api.admin);
    const runs = await Promise.all(Array.from({ length: 6 }, () => launch(api.admin, experiment.id)));
    expect(runs.map((run) => run.number).sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it("keeps the requirements, priority and maxAttempts it was given", async () => {
    const experiment = await createCommandExperiment(api.admin);
    const run = (
      await api.admin.ok(LAUNCH, {
        input: { experiment: experiment.id, priority: -7, maxAttempts: 5, requirements: { device: "CUDA", minMemoryGb: 24.5, labels: ["zone-b", "a100", "a100"] } },
      })
    ).launchExperiment;
    expect(run.requirements).toEqual({ device: "CUDA", minMemoryGb: 24.5, labels: ["a100", "zone-b"], capabilities: ["command"] });
    expect(run.job).toMatchObject({ priority: -7, maxAttempts: 5, state: "QUEUED" });
    expect((await api.admin.ok(RUN, { id: run.id })).run.requirements).toEqual(run.requirements);
  });

  it.each([
    ["maxAttempts 0", { maxAttempts: 0 }],
    ["maxAttempts 101", { maxAttempts: 101 }],
    ["priority 1001", { priority: 1001 }],
    ["priority -1001", { priority: -1001 }],
    ["a negative minMemoryGb", { requirements: { minMemoryGb: -1 } }],
    ["a bad label", { requirements: { labels: ["Not A Label"] } }],
    ["an unknown device", { requirements: { device: "TPU" } }],
  ])("refuses %s with BAD_USER_INPUT and creates no run", async (_what, options) => {
    const experiment = await createCommandExperiment(api.admin);
    await launch(api.admin, experiment.id);
    const error = await api.admin.request(LAUNCH, { input: { experiment: experiment.id, ...options } });
    expect(error.errors?.[0]?.extensions).toMatchObject({ code: "BAD_USER_INPUT", reason: "INVALID_ARGUMENT" });
    expect(await runCount(experiment.id)).toBe(1);
    // The refused launch used up no number.
    expect((await launch(api.admin, experiment.id)).number).toBe(2);
  });

  it("refuses to launch an unknown experiment with NOT_FOUND/EXPERIMENT_NOT_FOUND", async () => {
    await api.admin.fails(LAUNCH, { input: { experiment: randomUUID() } }, "NOT_FOUND", "EXPERIMENT_NOT_FOUND");
  });

  it("answers NOT_FOUND/RUN_NOT_FOUND for an unknown run and BAD_USER_INPUT for a malformed id", async () => {
    await api.admin.fails(RUN, { id: randomUUID() }, "NOT_FOUND", "RUN_NOT_FOUND");
    await api.admin.fails(RUN, { id: "not-a-uuid" }, "BAD_USER_INPUT", "INVALID_ARGUMENT");
    await api.admin.fails(CANCEL, { id: randomUUID() }, "NOT_FOUND", "RUN_NOT_FOUND");
    await api.admin.fails(RETRY, { id: randomUUID() }, "NOT_FOUND", "RUN_NOT_FOUND");
  });
});

describe(`listing runs (${databaseKind})`, () => {
  it("filters runs by experiment and status, newest first", async () => {
    const experiment = await createCommandExperiment(api.admin);
    const other = await createCommandExperiment(api.admin);
    const runs = [];
    for (let index = 0; index < 4; index += 1) runs.push(await launch(api.admin, experiment.id));
    await launch(api.admin, other.id);
    await api.admin.ok(CANCEL, { id: runs[1]!.id });

    const all = (await api.admin.ok(RUNS, { first: 10, filter: { experiment: experiment.id } })).runs;
    expect(all.totalCount).toBe(4);
    expect(all.edges.map((edge: any) => edge.node.number)).toEqual([4, 3, 2, 1]);
    const queued = (await api.admin.ok(RUNS, { first: 10, filter: { experiment: experiment.id, status: "QUEUED" } })).runs;
    expect(queued.edges.map((edge: any) => edge.node.number)).toEqual([4, 3, 1]);
    expect(queued.totalCount).toBe(3);
    const cancelled = (await api.admin.ok(RUNS, { first: 10, filter: { experiment: experiment.id, status: "CANCELLED" } })).runs;
    expect(cancelled.edges.map((edge: any) => edge.node)).toEqual([{ id: runs[1]!.id, number: 2, status: "CANCELLED" }]);
    for (const status of ["RUNNING", "SUCCEEDED", "FAILED"]) {
      expect((await api.admin.ok(RUNS, { first: 10, filter: { experiment: experiment.id, status } })).runs.totalCount).toBe(0);
    }
    // Across experiments, the cancelled run is among the cancelled ones.
    const everyCancelled = (await api.admin.ok(RUNS, { first: 100, filter: { status: "CANCELLED" } })).runs;
    expect(everyCancelled.edges.map((edge: any) => edge.node.id)).toContain(runs[1]!.id);
    expect(everyCancelled.edges.every((edge: any) => edge.node.status === "CANCELLED")).toBe(true);

    await api.admin.fails(RUNS, { first: 101 }, "BAD_USER_INPUT", "INVALID_ARGUMENT");
    await api.admin.fails(RUNS, { first: 10, after: "not-a-cursor" }, "BAD_USER_INPUT", "INVALID_CURSOR");
    expect((await api.admin.ok(RUNS, { first: 10, filter: { experiment: randomUUID() } })).runs).toMatchObject({ totalCount: 0, edges: [] });
  });

  it("pages through an experiment's runs, newest first, filtered by status", async () => {
    const experiment = await createCommandExperiment(api.admin);
    const runs = [];
    for (let index = 0; index < 5; index += 1) runs.push(await launch(api.admin, experiment.id));
    await api.admin.ok(CANCEL, { id: runs[0]!.id });

    const numbers: number[] = [];
    let after: string | null = null;
    let pages = 0;
    do {
      const page: any = (await api.admin.ok(EXPERIMENT_RUNS, { id: experiment.id, first: 2, after })).experiment.runs;
      expect(page.totalCount).toBe(5);
      for (const edge of page.edges) {
        expect(edge.node.experiment.id).toBe(experiment.id);
        numbers.push(edge.node.number);
      }
      after = page.pageInfo.hasNextPage ? page.pageInfo.endCursor : null;
      pages += 1;
    } while (after);
    expect(numbers).toEqual([5, 4, 3, 2, 1]);
    expect(pages).toBe(3);

    const queued = (await api.admin.ok(EXPERIMENT_RUNS, { id: experiment.id, first: 10, filter: { status: "QUEUED" } })).experiment.runs;
    expect(queued.edges.map((edge: any) => edge.node.number)).toEqual([5, 4, 3, 2]);
    // The experiment's own id wins over a filter naming another experiment.
    const other = await createCommandExperiment(api.admin);
    const pinned = (await api.admin.ok(EXPERIMENT_RUNS, { id: experiment.id, first: 10, filter: { experiment: other.id } })).experiment.runs;
    expect(pinned.totalCount).toBe(5);
  });
});

describe(`cancelling and retrying (${databaseKind})`, () => {
  it("cancels a queued run at once, idempotently", async () => {
    const experiment = await createCommandExperiment(api.admin);
    const run = await launch(api.admin, experiment.id);
    const cancelled = (await api.admin.ok(CANCEL, { id: run.id })).cancelRun;
    expect(cancelled).toMatchObject({ id: run.id, status: "CANCELLED", waitingReason: null, job: { state: "CANCELLED", cancelRequested: true } });
    expect(cancelled.finishedAt).toEqual(expect.any(String));

    const again = (await api.admin.ok(CANCEL, { id: run.id })).cancelRun;
    expect(again).toEqual(cancelled);
    expect((await api.admin.ok(RUN, { id: run.id })).run).toMatchObject({ status: "CANCELLED", attempt: 0, startedAt: null, finishedAt: cancelled.finishedAt });
  });

  it("retries a finished run as a new run with the same settings, and refuses an unfinished one", async () => {
    const experiment = await createCommandExperiment(api.admin);
    const original = (
      await api.admin.ok(LAUNCH, {
        input: { experiment: experiment.id, priority: 3, maxAttempts: 4, requirements: { device: "CPU", minMemoryGb: 2, labels: ["spot"] } },
      })
    ).launchExperiment;

    await api.admin.fails(RETRY, { id: original.id }, "CONFLICT", "RUN_NOT_FINISHED");
    expect(await runCount(experiment.id)).toBe(1);

    await api.admin.ok(CANCEL, { id: original.id });
    const retried = (await api.admin.ok(RETRY, { id: original.id })).retryRun;
    expect(retried).toMatchObject({
      number: 2,
      status: "QUEUED",
      attempt: 0,
      retryOf: { id: original.id, number: 1 },
      experiment: { id: experiment.id },
      requirements: { device: "CPU", minMemoryGb: 2, labels: ["spot"], capabilities: ["command"] },
      job: { state: "QUEUED", attempt: 0, maxAttempts: 4, priority: 3, cancelRequested: false },
    });
    expect(retried.id).not.toBe(original.id);
    expect((await api.admin.ok(RUN, { id: retried.id })).run.retryOf).toEqual({ id: original.id, number: 1 });
    // The original stays as it was.
    expect((await api.admin.ok(RUN, { id: original.id })).run).toMatchObject({ status: "CANCELLED", retryOf: null });

    // The retry is queued, so it cannot be retried itself; once cancelled it can, and a finished run can be retried again.
    await api.admin.fails(RETRY, { id: retried.id }, "CONFLICT", "RUN_NOT_FINISHED");
    await api.admin.ok(CANCEL, { id: retried.id });
    expect((await api.admin.ok(RETRY, { id: retried.id })).retryRun).toMatchObject({ number: 3, retryOf: { id: retried.id, number: 2 } });
    expect((await api.admin.ok(RETRY, { id: original.id })).retryRun).toMatchObject({ number: 4, retryOf: { id: original.id, number: 1 } });
    expect(await runCount(experiment.id)).toBe(4);
  });
});

describe(`waiting reasons (${databaseKind})`, () => {
  it("explains why a queued run is not running, from no runner at all to a free runner", async () => {
    const experiment = await createCommandExperiment(api.admin);
    const plain = await launch(api.admin, experiment.id);
    const cuda = await launch(api.admin, experiment.id, { requirements: { device: "CUDA" } });
    const big = await launch(api.admin, experiment.id, { requirements: { minMemoryGb: 64 } });
    const labelled = await launch(api.admin, experiment.id, { requirements: { labels: ["nvlink", "a100"] } });
    const cancelled = await launch(api.admin, experiment.id);
    await api.admin.ok(CANCEL, { id: cancelled.id });

    // Runners registered by other tests go offline after DISTILLERY_RUNNER_ONLINE_SECONDS.
    await waitFor("every runner to be offline", async () => {
      const reasons = await waitingReasons(experiment.id);
      return reasons[plain.id] === "no runner is online" ? reasons : undefined;
    });
    expect(await waitingReasons(experiment.id)).toEqual({
      [plain.id]: "no runner is online",
      [cuda.id]: "no runner is online",
      [big.id]: "no runner is online",
      [labelled.id]: "no runner is online",
      [cancelled.id]: null,
    });

    // Registering (again) marks a runner as seen now; checked at once, as runners here go offline quickly.
    const cpuName = uniqueName("cpu-runner");
    const gpuName = uniqueName("gpu-runner");
    const commandName = uniqueName("command-runner");
    const cpuWithoutCommand = () => registerRunner(api.admin, { name: cpuName, capabilities: [], labels: ["spot"], device: { kind: "CPU", memoryGb: 16 } });
    const gpuWithoutCommand = () =>
      registerRunner(api.admin, { name: gpuName, capabilities: ["torch"], labels: ["a100", "nvlink"], device: { kind: "CUDA", memoryGb: 80 } });
    const commandRunner = () => registerRunner(api.admin, { name: commandName, capabilities: ["command"], device: { kind: "CPU", memoryGb: 16 } });

    await expect
      .poll(
        async () => {
          await cpuWithoutCommand();
          return waitingReasons(experiment.id);
        },
        { timeout: 30_000, interval: 200 },
      )
      .toEqual({
        [plain.id]: "no online runner offers command",
        [cuda.id]: "no online runner has a CUDA device",
        [big.id]: "no online runner has 64 GB of memory",
        [labelled.id]: "no online runner carries the labels a100, nvlink",
        [cancelled.id]: null,
      });

    await expect
      .poll(
        async () => {
          await cpuWithoutCommand();
          await gpuWithoutCommand();
          return waitingReasons(experiment.id);
        },
        { timeout: 30_000, interval: 200 },
      )
      .toEqual({
        [plain.id]: "no online runner offers command",
        [cuda.id]: "no online runner offers command",
        [big.id]: "no online runner offers command",
        [labelled.id]: "no online runner offers command",
        [cancelled.id]: null,
      });

    // A runner that could take the plain run but has not polled yet.
    await expect
      .poll(
        async () => {
          await cpuWithoutCommand();
          await gpuWithoutCommand();
          await commandRunner();
          return waitingReasons(experiment.id);
        },
        { timeout: 30_000, interval: 200 },
      )
      .toEqual({
        [plain.id]: "waiting for a free runner",
        [cuda.id]: "no online runner offers command",
        [big.id]: "no online runner offers command",
        [labelled.id]: "no online runner offers command",
        [cancelled.id]: null,
      });

    // Nobody leased anything along the way.
    for (const run of [plain, cuda, big, labelled]) expect((await api.admin.ok(RUN, { id: run.id })).run).toMatchObject({ status: "QUEUED", attempt: 0 });
  });

  it("says when a failed run waits for its retry", async () => {
    const label = uniqueName("retry");
    const experiment = await createCommandExperiment(api.admin);
    const runner = await registerRunner(api.admin, { labels: [label] });
    // The highest priority, so this runner takes this run and no other.
    const run = await launch(api.admin, experiment.id, { priority: 1000, maxAttempts: 3, requirements: { labels: [label] } });
    const lease = await acquireOrFail(runner);
    expect(lease.run.id).toBe(run.id);
    expect((await api.admin.ok(RUN, { id: run.id })).run).toMatchObject({ status: "RUNNING", waitingReason: null });

    const before = Date.now();
    expect((await runner.client.ok(FAIL, { job: lease.job.id, lease: lease.leaseId, kind: "INFRA_ERROR", message: "disk full" })).failJob).toMatchObject({
      state: "QUEUED",
      attempt: 1,
    });
    const after = Date.now();
    const failed = (await api.admin.ok(RUN, { id: run.id })).run;
    expect(failed).toMatchObject({ status: "QUEUED", attempt: 1, job: { state: "QUEUED", failureKind: "INFRA_ERROR", error: "disk full" } });
    // 60 s backoff with 0.5-1.5x jitter.
    const notBefore = Date.parse(failed.job.notBefore);
    expect(notBefore).toBeGreaterThanOrEqual(before + 30_000 - 50);
    expect(notBefore).toBeLessThanOrEqual(after + 90_000 + 50);
    expect(failed.waitingReason).toBe(`retrying after a failure: not before ${failed.job.notBefore} (attempt 2 of 3)`);

    // Cancelling a run that waits for its retry stops it for good.
    expect((await api.admin.ok(CANCEL, { id: run.id })).cancelRun).toMatchObject({ status: "CANCELLED", waitingReason: null });
  });
});
