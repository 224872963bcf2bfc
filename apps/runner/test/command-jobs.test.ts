import { realpath } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type RunnerFixture, runnerFixture } from "./support/runner-fixture";
import { isAlive, nodeScript, startRunner } from "./support/runner-process";
import { waitFor } from "./support/wait-for";

describe("COMMAND jobs", () => {
  let fixture: RunnerFixture;

  beforeEach(async () => {
    // A short lease: heartbeats every 200 ms, so progress shows up quickly.
    fixture = await runnerFixture({ leaseSeconds: 1.2 });
  });

  afterEach(async () => {
    await fixture.stop();
  });

  it("streams metrics in batches, progress and logs, then completes (--once exits 0)", async () => {
    const script = `
      const lines = [];
      for (let step = 0; step < 1200; step++) lines.push(JSON.stringify({ metric: "loss", step, value: 1 / (step + 1) }));
      console.log(lines.join("\\n"));
      console.log(JSON.stringify({ metric: "acc", step: 1, value: 0.9, time: "2024-01-01T00:00:00Z" }));
      console.log("héllo wörld ✓ 🦀");
      console.log(JSON.stringify({ note: "json that is not protocol" }));
      console.error("a warning on stderr");
      console.log("cwd " + require("fs").realpathSync(process.cwd()));
      console.log("greeting " + process.env.GREETING);
      console.log(JSON.stringify({ progress: 0.5 }));
      setTimeout(() => process.exit(0), 800);
    `;
    const job = fixture.api.addCommandJob({ argv: nodeScript(script), env: { GREETING: "bonjour" } });
    const runner = fixture.start(["--once"]);
    expect(await runner.exited, runner.output()).toBe(0);

    expect(job.state).toBe("SUCCEEDED");
    expect(job.result).toEqual({ exitCode: 0 });
    const run = fixture.api.run(job);
    const loss = run.metrics.filter((point) => point.key === "loss");
    expect(loss.map((point) => point.step)).toEqual(Array.from({ length: 1200 }, (_, step) => step));
    // Batched: at most 500 points a request, so at least three requests for 1200 points.
    const batchSizes = [...new Set(loss.map((point) => point.batchId))].map((id) => loss.filter((point) => point.batchId === id).length);
    expect(batchSizes.length).toBeGreaterThanOrEqual(3);
    expect(Math.max(...batchSizes)).toBeLessThanOrEqual(500);
    // Each point carries the time its line was read, unless the line said when.
    expect(loss.every((point) => typeof point.time === "string" && Math.abs(Date.parse(point.time) - Date.now()) < 60_000)).toBe(true);
    expect(run.metrics.find((point) => point.key === "acc")).toMatchObject({ step: 1, value: 0.9, time: "2024-01-01T00:00:00.000Z" });

    const log = run.log.toString("utf8");
    const jobDir = await realpath(join(fixture.workDir, "jobs", job.id, "attempt-1"));
    expect(log.split("\n").filter((line) => !line.startsWith("a warning"))).toEqual([
      "héllo wörld ✓ 🦀",
      '{"note":"json that is not protocol"}',
      `cwd ${jobDir}`,
      "greeting bonjour",
      "",
    ]);
    expect(log).toContain("a warning on stderr\n");
    expect(job.progress).toContain(0.5);
    expect(await fixture.spooled()).toEqual([]);

    const registered = [...fixture.api.runners.values()];
    expect(registered).toEqual([expect.objectContaining({ name: "test-runner", labels: [], capabilities: ["command", "onnx"] })]);
    expect(["CPU", "CUDA"]).toContain(registered[0]?.device.kind);
  });

  it("fails a nonzero exit as USER_ERROR with the code and stderr's last line (--once exits 1)", async () => {
    const job = fixture.api.addCommandJob({ argv: nodeScript(`console.error("boom: bad config"); process.exit(3)`) });
    const runner = fixture.start(["--once"]);
    expect(await runner.exited, runner.output()).toBe(1);
    expect(job.state).toBe("FAILED");
    expect(job.failure?.kind).toBe("USER_ERROR");
    expect(job.failure?.message).toMatch(/exited with code 3: boom: bad config$/);
    expect(fixture.api.run(job).log.toString()).toBe("boom: bad config\n");
  });

  it("fails a program that cannot start, and a spec that is not valid, as USER_ERROR", async () => {
    const missing = fixture.api.addCommandJob({ argv: ["/definitely/not/a/program", "--flag"] });
    const invalid = fixture.api.addJob("COMMAND", { argv: [], env: {}, timeoutSeconds: 5 }, ["command"]);
    const runner = fixture.start();
    await fixture.waitForState(missing, "FAILED");
    await fixture.waitForState(invalid, "FAILED");
    expect(missing.failure).toEqual({ kind: "USER_ERROR", message: expect.stringContaining("could not start /definitely/not/a/program") });
    expect(missing.failure?.message).toContain("ENOENT");
    expect(invalid.failure).toEqual({ kind: "USER_ERROR", message: expect.stringContaining("Invalid command spec: argv") });
    expect(await runner.stop()).toBe(0);
  });

  it("kills the whole process group on timeout and fails with USER_ERROR", async () => {
    const script = `
      const { spawn } = require("child_process");
      const grandchild = spawn(process.execPath, ["-e", "setInterval(() => {}, 1000)"], { stdio: "ignore" });
      console.log("grandchild " + grandchild.pid);
      setInterval(() => {}, 1000);
    `;
    const job = fixture.api.addCommandJob({ argv: nodeScript(script), timeoutSeconds: 1 });
    const runner = fixture.start();
    await fixture.waitForState(job, "FAILED");
    expect(job.failure).toEqual({ kind: "USER_ERROR", message: "timed out after 1 s" });
    const pid = Number(/grandchild (\d+)/.exec(fixture.api.run(job).log.toString())?.[1]);
    expect(pid).toBeGreaterThan(0);
    await waitFor("the grandchild to be gone", () => !isAlive(pid), 5_000);
    expect(await runner.stop()).toBe(0);
  });

  it("takes the token from DISTILLERY_TOKEN and does not pass it on to jobs", async () => {
    const job = fixture.api.addCommandJob({ argv: nodeScript(`console.log("token " + (process.env.DISTILLERY_TOKEN ?? "unset") + ", home " + (process.env.HOME ? "set" : "unset"))`) });
    const args = fixture.args(["--once"]);
    args.splice(args.indexOf("--token"), 2);
    const runner = startRunner(args, { DISTILLERY_TOKEN: fixture.api.runnerToken });
    expect(await runner.exited, runner.output()).toBe(0);
    expect(fixture.api.run(job).log.toString()).toBe("token unset, home set\n");
  });

  it("does not take COMMAND jobs without --allow-command-jobs", async () => {
    const job = fixture.api.addCommandJob({ argv: nodeScript("process.exit(0)") });
    const args = fixture.args().filter((arg) => arg !== "--allow-command-jobs");
    const runner = startRunner(args);
    try {
      await runner.waitForLog("waiting for jobs");
      await waitFor("a long-poll that came back empty", () => fixture.api.callsOf("AcquireJob").length >= 2);
      expect(job.state).toBe("QUEUED");
      expect([...fixture.api.runners.values()][0]?.capabilities).toEqual(["onnx"]);
    } finally {
      expect(await runner.stop()).toBe(0);
    }
  });
});
