import { chmod, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type RunnerFixture, runnerFixture } from "./support/runner-fixture";
import { startRunner } from "./support/runner-process";

describe("starting the runner", () => {
  let fixture: RunnerFixture;

  beforeEach(async () => {
    fixture = await runnerFixture({ forbiddenTokens: ["dst_read_only"] });
  });

  afterEach(async () => {
    await fixture.stop();
  });

  function withToken(token: string): string[] {
    const args = fixture.args();
    args[args.indexOf("--token") + 1] = token;
    return args;
  }

  it("exits 3 with one clear line when the API refuses the token", async () => {
    const runner = startRunner(withToken("dst_wrong"));
    expect(await runner.exited).toBe(3);
    const fatal = runner.logs().filter((line) => line.level === "fatal");
    expect(fatal).toHaveLength(1);
    expect(fatal[0]?.msg).toBe("the API refused the token (UNAUTHENTICATED TOKEN_INVALID); a runner needs a token with the RUNNER scope");
  });

  it("exits 3 when the token lacks the RUNNER scope", async () => {
    const runner = startRunner(withToken("dst_read_only"));
    expect(await runner.exited).toBe(3);
    expect(runner.logs().find((line) => line.level === "fatal")?.msg).toContain("refused the token (FORBIDDEN)");
  });

  it("exits 2 on bad arguments, with the reason on one line", async () => {
    const runner = startRunner(["--api", fixture.api.url, "--token", "t", "--kill-grace-seconds", "never"]);
    expect(await runner.exited).toBe(2);
    expect(runner.output()).toBe('distillery-runner: --kill-grace-seconds: expected a number >= 0, got "never" (see --help)\n');
    const help = startRunner(["--help"]);
    expect(await help.exited).toBe(0);
    expect(help.output()).toContain("distillery-runner --api URL --token TOKEN");
  });

  it("reports its device and capabilities: torch when the configured Python imports it, onnx as onnxruntime-node loads", async () => {
    const python = join(fixture.workDir, "fake-python");
    await writeFile(python, '#!/bin/sh\n[ "$1" = "-c" ] && [ "$2" = "import torch" ]\n');
    await chmod(python, 0o755);
    const runner = fixture.start(["--python", python, "--labels", "cpu-pool,fast"], {});
    const detected = await runner.waitForLog("detected this machine");
    expect(detected.capabilities).toEqual(["command", "torch", "onnx"]);
    await runner.waitForLog("registered");
    const registered = fixture.api.runners.get("test-runner");
    expect(registered).toMatchObject({ labels: ["cpu-pool", "fast"], capabilities: ["command", "torch", "onnx"] });
    expect(registered?.device.memoryGb).toBeGreaterThan(0);
    expect(typeof registered?.device.name).toBe("string");
    expect(await runner.stop()).toBe(0);
  });

  it("gets its old id back when it registers again under the same name", async () => {
    const first = fixture.start();
    await first.waitForLog("waiting for jobs");
    expect(await first.stop()).toBe(0);
    const second = fixture.start();
    await second.waitForLog("waiting for jobs");
    const ids = [first, second].map((runner) => runner.logs().find((line) => line.msg === "registered")?.runnerId);
    expect(ids[0]).toBeDefined();
    expect(ids[1]).toBe(ids[0]);
    expect(await second.stop()).toBe(0);
  });

  it("refuses a work directory another live runner holds", async () => {
    const first = fixture.start();
    await first.waitForLog("waiting for jobs");
    const second = fixture.start();
    expect(await second.exited).toBe(1);
    expect(second.logs().find((line) => line.level === "fatal")?.msg).toMatch(/^another runner \(pid \d+\) uses the work directory/);
    expect(await first.stop()).toBe(0);
  });

  it("waits for an API that is not up yet", async () => {
    await fixture.api.stop();
    const runner = fixture.start();
    await runner.waitForLog("cannot register yet; retrying");
    await fixture.api.restart();
    await runner.waitForLog("waiting for jobs");
    expect(await runner.stop()).toBe(0);
  });
});
