import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { createToken } from "../../../apps/api/test/support/factories";
import { GraphQLClient } from "../../../apps/api/test/support/graphql-client";
import { startTestServer, type TestServer } from "../../../apps/api/test/support/test-server";
import { waitFor } from "../../../apps/api/test/support/wait-for";
import { startRunner, type RunnerProcess } from "./runner-process";

export const EMIT_METRICS = resolve(__dirname, "..", "fixtures", "emit-metrics.js");

/** The API as a process plus any number of runner processes, torn down together. */
export class Platform {
  readonly runners: RunnerProcess[] = [];

  private constructor(
    readonly api: TestServer,
    readonly admin: GraphQLClient,
    private readonly runnerToken: string,
    private readonly workRoot: string,
  ) {}

  static async start(env: Record<string, string>): Promise<Platform> {
    const api = await startTestServer(env);
    const admin = new GraphQLClient(api.url, api.adminToken);
    const runnerToken = (await createToken(admin, ["RUNNER"])).token;
    return new Platform(api, admin, runnerToken, await mkdtemp(join(tmpdir(), "distillery-runners-")));
  }

  async startRunner(name: string): Promise<RunnerProcess> {
    const runner = startRunner({ api: this.api.url, token: this.runnerToken, name, workDir: join(this.workRoot, name) });
    this.runners.push(runner);
    await waitFor(`runner ${name} to come online`, async () => {
      const { runners } = await this.admin.ok<{ runners: Array<{ name: string; online: boolean }> }>(`{ runners { name online } }`);
      return runners.some((runner) => runner.name === name && runner.online) ? true : undefined;
    });
    return runner;
  }

  /** Creates and launches a COMMAND experiment; returns the run id. */
  async launchCommand(argv: string[], launchOptions: Record<string, unknown> = {}): Promise<string> {
    const experiment = await this.admin.ok(`mutation($input: CreateExperimentInput!) { createExperiment(input: $input) { id } }`, {
      input: { name: `system-${Date.now()}-${Math.random().toString(16).slice(2, 8)}`, kind: "COMMAND", spec: { argv, timeoutSeconds: 600 } },
    });
    const run = await this.admin.ok(`mutation($input: LaunchExperimentInput!) { launchExperiment(input: $input) { id } }`, {
      input: { experiment: experiment.createExperiment.id, ...launchOptions },
    });
    return run.launchExperiment.id;
  }

  /** Creates and launches an experiment of any kind, waits until its run ends; throws with its error and log unless it SUCCEEDED. */
  async launchAndFinish(name: string, kind: string, spec: Record<string, unknown>, deadlineMs = 170_000): Promise<string> {
    const experiment = await this.admin.ok(`mutation($input: CreateExperimentInput!) { createExperiment(input: $input) { id } }`, { input: { name, kind, spec } });
    const run = await this.admin.ok(`mutation($input: LaunchExperimentInput!) { launchExperiment(input: $input) { id } }`, {
      input: { experiment: experiment.createExperiment.id, maxAttempts: 1 },
    });
    const runId: string = run.launchExperiment.id;
    const finished = await waitFor(`${name} to finish`, async () => {
      const state = await this.run(runId);
      return ["SUCCEEDED", "FAILED", "CANCELLED"].includes(state.status) ? state : undefined;
    }, deadlineMs);
    if (finished.status !== "SUCCEEDED") {
      const details = await this.admin.ok(`query($id: ID!) { run(id: $id) { job { error failureKind } logs(limit: 8000) { text } } }`, { id: runId });
      throw new Error(`${name} ${finished.status}: ${JSON.stringify(details)}`);
    }
    return runId;
  }

  /** A model's role and its versions, with lineage, metadata and the run that produced each. */
  async versionsOf(model: string): Promise<{ role: string; versions: any[] }> {
    const data = await this.admin.ok(
      `query($m: String!) { model(name: $m) { role versions { edges { node { ref format precision metadata producedBy { id } parents { relation recipe version { ref } } } } } } }`,
      { m: model },
    );
    return { role: data.model.role as string, versions: data.model.versions.edges.map((edge: any) => edge.node) as any[] };
  }

  async run(id: string): Promise<{ status: string; attempt: number; job: { state: string; attempt: number; runner: { name: string } | null } }> {
    return (await this.admin.ok(`query($id: ID!) { run(id: $id) { status attempt job { state attempt runner { name } } } }`, { id })).run;
  }

  /** Every stored point of every key, in step order (maxPoints high enough never to downsample). */
  async metrics(id: string): Promise<Array<{ key: string; totalPoints: number; points: Array<{ step: number; value: number }> }>> {
    return (await this.admin.ok(`query($id: ID!) { run(id: $id) { metrics(maxPoints: 20000) { key totalPoints points { step value } } } }`, { id })).run
      .metrics;
  }

  async stop(): Promise<void> {
    await Promise.all(this.runners.map((runner) => runner.stop()));
    await this.api.stop();
    await rm(this.workRoot, { recursive: true, force: true });
  }
}
