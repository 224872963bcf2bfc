import { type ChildProcess, spawn } from "node:child_process";
import { mkdir, writeFile } from "node:fs/promises";
import { createServer, type Socket, connect } from "node:net";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ApiServer, startApiServer } from "./support/api-server";
import { cli, startCli } from "./support/cli-process";

/**
 * launch, runs, logs and cancel as a user runs them: the built CLI against the real API, with a
 * real runner (the runner agent process, allowed to run COMMAND jobs) doing the work.
 */
describe("distillery launch, runs, logs and cancel (the real API and a real runner)", () => {
  let server: ApiServer;
  let runner: ChildProcess;
  let runnerOutput = "";
  let scratch: string;
  let env: NodeJS.ProcessEnv;

  const distillery = (args: string[], extraEnv: NodeJS.ProcessEnv = {}) => cli(args, { env: { ...env, ...extraEnv }, cwd: scratch });
  const context = () => `\n--- api ---\n${server.output()}\n--- runner ---\n${runnerOutput}`;

  /** A spec file in the scratch folder; `argv` runs this Node with a script. */
  async function specFile(fileName: string, text: string): Promise<string> {
    const path = join(scratch, fileName);
    await writeFile(path, text);
    return path;
  }
  const nodeScript = (script: string) => [process.execPath, "-e", script];

  beforeAll(async () => {
    // Heartbeats every 5 s (a sixth of the lease): a cancel reaches the runner within that.
    server = await startApiServer({ DISTILLERY_LEASE_SECONDS: "30" });
    scratch = join(server.dataDir, "scratch");
    await mkdir(scratch);
    env = { DISTILLERY_API: server.url, DISTILLERY_TOKEN: server.admin, DISTILLERY_CONFIG_DIR: join(scratch, "config") };
    const minted = await server.graphql(`mutation { createApiToken(input: { name: "test-runner", scopes: [RUNNER] }) { token } }`);
    const runnerArgs = [require.resolve("@distillery/runner"), "--api", server.url, "--name", "test-runner", "--work-dir", join(scratch, "runner")];
    // No torch for command jobs: a Python that is not there makes the capability probe quick.
    runner = spawn(process.execPath, [...runnerArgs, "--allow-command-jobs", "--python", join(scratch, "no-python")], {
      env: { ...process.env, DISTILLERY_TOKEN: minted.data.createApiToken.token, LOG_LEVEL: "info" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    runner.stdout!.on("data", (chunk: Buffer) => (runnerOutput += chunk.toString()));
    runner.stderr!.on("data", (chunk: Buffer) => (runnerOutput += chunk.toString()));
    // Online, i.e. registered and polling for jobs (its capability probes take a moment).
    const deadline = Date.now() + 90_000;
    for (;;) {
      const { data } = await server.graphql(`{ runners { name online } }`);
      if (data?.runners?.some((found: { name: string; online: boolean }) => found.name === "test-runner" && found.online)) break;
      if (Date.now() > deadline || runner.exitCode !== null) throw new Error(`the runner did not come online${context()}`);
      await new Promise((done) => setTimeout(done, 250));
    }
  }, 180_000);

  afterAll(async () => {
    if (runner && runner.exitCode === null && runner.signalCode === null) {
      const exited = new Promise((done) => runner.once("exit", done));
      runner.kill("SIGTERM");
      await exited;
    }
    await server?.stop();
  }, 60_000);

  it("launch -f spec.json prints the run id, runs lists it, and logs -f streams what the command prints while it runs, then exits 0", async () => {
    const marker = join(scratch, "go-on");
    const script = `const fs = require("fs");
console.log("first line");
const poll = setInterval(() => { if (fs.existsSync(${JSON.stringify(marker)})) { clearInterval(poll); console.log("second line"); } }, 50);`;
    const file = await specFile("streaming.json", JSON.stringify({ name: "streaming", kind: "COMMAND", tags: ["cli-test"], spec: { argv: nodeScript(script), timeoutSeconds: 300 } }));

    const launched = await distillery(["launch", "-f", file]);
    expect(launched.code, launched.stderr + context()).toBe(0);
    const runId = launched.stdout.trim();
    expect(runId).toMatch(/^[0-9a-f-]{36}$/);
    expect(launched.stderr).toContain("created experiment streaming; queued run #1");

    const follow = startCli(["logs", "-f", runId], { env, cwd: scratch });
    // The first line arrives while the command is still running (it waits for the marker)...
    await expect.poll(() => follow.stdout(), { timeout: 90_000, interval: 100 }).toContain("first line\n");
    const listed = await distillery(["runs", "--json"]);
    expect(listed.code, listed.stderr).toBe(0);
    const row = (JSON.parse(listed.stdout) as Array<{ id: string; status: string; number: number; experiment: { name: string; kind: string } }>).find((run) => run.id === runId);
    expect(row).toMatchObject({ number: 1, status: "RUNNING", experiment: { name: "streaming", kind: "COMMAND" } });

    // ...and the second once it printed it; then the run ends and so does logs -f.
    await writeFile(marker, "");
    const finished = await follow.finished;
    expect(finished.code, finished.stderr + context()).toBe(0);
    expect(finished.stdout).toBe("first line\nsecond line\n");
    expect(finished.stderr).toContain(`run ${runId} SUCCEEDED`);

    // The table: the columns, and the run as it ended.
    const table = await distillery(["runs", "--experiment", "streaming"]);
    expect(table.code, table.stderr).toBe(0);
    const [header, line, ...rest] = table.stdout.trimEnd().split("\n");
    expect(header!.split(/\s+/)).toEqual(["RUN", "EXPERIMENT", "#", "KIND", "STATUS", "PROGRESS", "CREATED", "DURATION"]);
    expect(line!.split(/\s+/).slice(0, 5)).toEqual([runId, "streaming", "1", "COMMAND", "SUCCEEDED"]);
    expect(rest).toEqual([]);

    // The stored log, without following.
    const stored = await distillery(["logs", runId]);
    expect(stored).toMatchObject({ code: 0, stdout: "first line\nsecond line\n" });
  });

  it("logs -f reconnects when its connection drops and goes on from the last byte it printed", async () => {
    const marker = join(scratch, "after-the-drop");
    const script = `const fs = require("fs");
console.log("before the drop");
const poll = setInterval(() => { if (fs.existsSync(${JSON.stringify(marker)})) { clearInterval(poll); console.log("after the drop"); } }, 50);`;
    const file = await specFile("dropped.json", JSON.stringify({ name: "dropped", kind: "COMMAND", spec: { argv: nodeScript(script), timeoutSeconds: 300 } }));
    const launched = await distillery(["launch", "-f", file]);
    expect(launched.code, launched.stderr).toBe(0);
    const runId = launched.stdout.trim();

    const proxy = await startProxy(Number(new URL(server.url).port));
    try {
      const follow = startCli(["logs", "-f", runId], { env: { ...env, DISTILLERY_API: proxy.url }, cwd: scratch });
      await expect.poll(() => follow.stdout(), { timeout: 90_000, interval: 100 }).toBe("before the drop\n");
      proxy.dropConnections();
      await writeFile(marker, "");
      const finished = await follow.finished;
      expect(finished.code, finished.stderr + context()).toBe(0);
      expect(finished.stdout).toBe("before the drop\nafter the drop\n");
      expect(finished.stderr).toContain("the log stream dropped");
      expect(finished.stderr).toContain(`continuing from byte ${"before the drop\n".length}`);
    } finally {
      await proxy.close();
    }
  });

  it("launch -f spec.yaml --wait streams a failing command's output and exits 1; launching the file again runs the same experiment again", async () => {
    const file = await specFile(
      "failing.yaml",
      `name: failing
kind: COMMAND
spec:
  argv:
${nodeScript(`console.log("about to fail"); console.error("oops"); process.exit(3);`)
  .map((arg) => `    - ${JSON.stringify(arg)}`)
  .join("\n")}
`,
    );
    const waited = await distillery(["launch", "-f", file, "--wait"]);
    expect(waited.code, waited.stderr + context()).toBe(1);
    const runId = waited.stdout.trim();
    expect(runId).toMatch(/^[0-9a-f-]{36}$/);
    expect(waited.stderr).toContain("about to fail\n");
    expect(waited.stderr).toContain("oops\n");
    expect(waited.stderr).toContain(`run ${runId} FAILED`);

    const followed = await distillery(["logs", "-f", runId]);
    expect(followed.code).toBe(1);
    expect(followed.stdout).toContain("about to fail\n");
    expect(followed.stderr).toContain(`run ${runId} FAILED: `);

    const again = await distillery(["launch", "-f", file, "--json"]);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).toContain("experiment failing exists with the same kind and spec; queued run #2");
    const launched = JSON.parse(again.stdout) as { experiment: string; run: string; number: number };
    expect(launched).toMatchObject({ experiment: "failing", number: 2 });
    expect(launched.run).not.toBe(runId);

    const runs = await distillery(["runs", "--experiment", "failing", "--json"]);
    expect((JSON.parse(runs.stdout) as Array<{ id: string }>).map((run) => run.id)).toEqual([launched.run, runId]);
  });

  it("cancel stops a long-running command; logs -f then ends with CANCELLED and exit 1; a finished run cannot be cancelled", async () => {
    const file = await specFile("forever.json", JSON.stringify({ name: "forever", kind: "COMMAND", spec: { argv: nodeScript(`console.log("started"); setInterval(() => {}, 1000);`) } }));
    const launched = await distillery(["launch", "-f", file]);
    expect(launched.code, launched.stderr).toBe(0);
    const runId = launched.stdout.trim();
    await expect.poll(async () => (await distillery(["logs", runId])).stdout, { timeout: 90_000, interval: 250 }).toBe("started\n");

    // Ctrl-C while following: exit 130, nothing said, and the run goes on.
    const interrupted = startCli(["logs", "-f", runId], { env, cwd: scratch });
    await expect.poll(() => interrupted.stdout(), { timeout: 30_000, interval: 100 }).toBe("started\n");
    interrupted.child.kill("SIGINT");
    expect(await interrupted.finished).toMatchObject({ code: 130, stderr: "" });

    const cancelled = await distillery(["cancel", runId]);
    expect(cancelled.code, cancelled.stderr).toBe(0);
    expect(cancelled.stdout).toBe(`${runId} RUNNING, cancel requested: its runner stops it at its next heartbeat\n`);

    const followed = await distillery(["logs", "-f", runId]);
    expect(followed.code, followed.stderr + context()).toBe(1);
    expect(followed.stdout).toBe("started\n");
    expect(followed.stderr).toContain(`run ${runId} CANCELLED`);
    const listed = await distillery(["runs", "--status", "cancelled", "--json"]);
    expect((JSON.parse(listed.stdout) as Array<{ id: string }>).map((run) => run.id)).toContain(runId);

    // Idempotent on a cancelled run; refused, with the API's reason, on one that succeeded.
    expect(await distillery(["cancel", runId, "--json"])).toMatchObject({ code: 0, stdout: expect.stringContaining('"status": "CANCELLED"') });
    const quick = await distillery(["launch", "--wait", "-f", await specFile("quick.json", JSON.stringify({ name: "quick", kind: "COMMAND", spec: { argv: ["true"] } }))]);
    expect(quick.code, quick.stderr).toBe(0);
    const refused = await distillery(["cancel", quick.stdout.trim()]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/^distillery: RUN_FINISHED: .*already finished/);
  });

  it("a spec the API rejects exits 1 with its reason and creates nothing; a file that is no spec exits 2", async () => {
    const rejected = await distillery(["launch", "-f", await specFile("empty-argv.json", JSON.stringify({ name: "empty-argv", kind: "COMMAND", spec: { argv: [] } }))]);
    expect(rejected.code).toBe(1);
    expect(rejected.stderr).toMatch(/^distillery: INVALID_SPEC: Invalid command spec: argv: /);
    expect(rejected.stdout).toBe("");
    const experiments = await server.graphql(`{ experiments(filter: { nameContains: "empty-argv" }) { totalCount } }`);
    expect(experiments.data.experiments.totalCount).toBe(0);

    for (const [fileName, text, message] of [
      ["list.json", "[1, 2]", "must hold an object with name, kind and spec"],
      ["no-spec.yaml", "name: no-spec\nkind: COMMAND\n", '"spec" must be an object'],
      ["broken.json", "{ name: ", "is not valid JSON"],
      ["odd-kind.json", JSON.stringify({ name: "odd", kind: "BAKE", spec: {} }), '"kind" must be one of'],
    ] as const) {
      const result = await distillery(["launch", "-f", await specFile(fileName, text)]);
      expect(result.code, `${fileName}: ${result.stderr}`).toBe(2);
      expect(result.stderr).toContain(message);
    }
    expect((await distillery(["launch"])).code).toBe(2);
    expect((await distillery(["launch", "-f", join(scratch, "absent.json")])).code).toBe(4);
  });

  it("a name taken by a different experiment is refused unless --name gives another", async () => {
    const first = await specFile("taken.json", JSON.stringify({ name: "taken", kind: "COMMAND", spec: { argv: ["true"] } }));
    expect((await distillery(["launch", "-f", first])).code).toBe(0);
    const other = await specFile("taken-too.json", JSON.stringify({ name: "taken", kind: "COMMAND", spec: { argv: ["false"] } }));
    const refused = await distillery(["launch", "-f", other]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('an experiment named "taken" exists with a different spec; pass --name');
    const renamed = await distillery(["launch", "-f", other, "--name", "taken-2", "--json"]);
    expect(renamed.code, renamed.stderr).toBe(0);
    expect(JSON.parse(renamed.stdout)).toMatchObject({ experiment: "taken-2", number: 1 });
  });

  it("an unknown run exits 4, a token the API refuses exits 3", async () => {
    const unknown = "00000000-0000-4000-8000-000000000000";
    for (const args of [["logs", unknown], ["logs", "-f", unknown], ["cancel", unknown], ["logs", "not-a-run"]]) {
      const result = await distillery(args);
      expect(result.code, `${args.join(" ")}: ${result.stderr}`).toBe(4);
      expect(result.stderr).toMatch(/^distillery: (RUN_NOT_FOUND: No run |no run ")/);
    }
    expect((await distillery(["runs", "--experiment", "no-such-experiment"])).code).toBe(4);

    const spec = await specFile("refused.json", JSON.stringify({ name: "refused", kind: "COMMAND", spec: { argv: ["true"] } }));
    for (const args of [["runs"], ["logs", "-f", unknown], ["launch", "-f", spec], ["cancel", unknown]]) {
      const refused = await distillery(args, { DISTILLERY_TOKEN: "dst_not-a-real-token" });
      expect(refused.code, `${args.join(" ")}: ${refused.stderr}`).toBe(3);
      expect(refused.stderr).toMatch(/^distillery: TOKEN_INVALID: /);
    }
  });
});


/** A TCP proxy to the API whose connections the test can cut, as a flaky network would. */
async function startProxy(targetPort: number) {
  const sockets = new Set<Socket>();
  const track = (socket: Socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  };
  const proxy = createServer((client) => {
    const upstream = connect(targetPort, "127.0.0.1");
    track(client);
    track(upstream);
    const cut = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on("error", cut);
    upstream.on("error", cut);
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((done) => proxy.listen(0, "127.0.0.1", done));
  const address = proxy.address();
  return {
    url: `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}`,
    dropConnections: () => {
      for (const socket of sockets) socket.destroy();
    },
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise((done) => proxy.close(done));
    },
  };
}
