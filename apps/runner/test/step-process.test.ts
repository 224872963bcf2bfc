import { createHash } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ArtifactAnnouncement, MetricPoint } from "@distillery/domain";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ApiError, ApiUnreachableError } from "@distillery/client";
import { BlobClient } from "@distillery/client";
import { CommandExecutor } from "../src/executors/command-executor";
import type { StepContext } from "../src/executors/step-executor";
import { runStepProcess, type StepProcessOptions } from "../src/executors/step-process";
import { FakeApi } from "./support/fake-api";
import { memoryLogger } from "./support/memory-logger";

const ARTIFACT_LINE = JSON.stringify({ artifact: "teacher", path: "/tmp/t.pt", kind: "torch", metadata: { params: 3 } });

function recorder() {
  const seen = { metrics: [] as MetricPoint[], progress: [] as number[], logs: [] as string[] };
  return { seen, reporter: { metric: (point: MetricPoint) => seen.metrics.push(point), progress: (value: number) => seen.progress.push(value), log: (line: string) => seen.logs.push(line) } };
}

describe("runStepProcess (shared by COMMAND and trainer steps)", () => {
  const script = `
    console.log(${JSON.stringify(JSON.stringify({ metric: "loss", step: 1, value: 0.5 }))});
    console.log(${JSON.stringify(JSON.stringify({ progress: 0.25 }))});
    console.log(${JSON.stringify(ARTIFACT_LINE)});
    console.log("plain");
    console.error("first error line");
    console.error("last error line");
    console.error("   ");
    process.exit(4);
  `;
  const options = (reporter: StepProcessOptions["reporter"], extra: Partial<StepProcessOptions> = {}): StepProcessOptions => ({
    file: process.execPath,
    args: ["-e", script],
    cwd: tmpdir(),
    env: process.env,
    timeoutSeconds: 30,
    signal: new AbortController().signal,
    killGraceMs: 1_000,
    reporter,
    logger: memoryLogger(),
    label: "test",
    ...extra,
  });

  it("hands artifact lines to the hook, and reports the exit and stderr's last non-blank line", async () => {
    const { seen, reporter } = recorder();
    const artifacts: ArtifactAnnouncement[] = [];
    const result = await runStepProcess(options(reporter, { onArtifact: (artifact) => artifacts.push(artifact) }));
    expect(result).toEqual({ started: true, code: 4, signal: null, stoppedBy: undefined, stderrTail: "last error line" });
    expect(artifacts).toEqual([{ name: "teacher", path: "/tmp/t.pt", kind: "torch", metadata: { params: 3 } }]);
    expect(seen.metrics).toEqual([{ key: "loss", step: 1, value: 0.5 }]);
    expect(seen.progress).toEqual([0.25]);
    expect(seen.logs.filter((line) => !line.includes("error line") && line.trim())).toEqual(["plain"]);
  });

  it("keeps artifact lines as log lines without a hook (COMMAND jobs register nothing)", async () => {
    const { seen, reporter } = recorder();
    await runStepProcess(options(reporter));
    expect(seen.logs).toContain(ARTIFACT_LINE);
    const { seen: commandSeen, reporter: commandReporter } = recorder();
    const dir = await mkdtemp(join(tmpdir(), "command-step-"));
    try {
      const context: StepContext = {
        jobId: "job",
        leaseId: "lease",
        runId: "run",
        attempt: 1,
        experiment: { id: "e", name: "e", kind: "COMMAND", spec: { argv: [process.execPath, "-e", script] } },
        jobDir: dir,
        signal: new AbortController().signal,
        leaseLost: () => undefined,
        killGraceMs: 1_000,
        python: "python3",
        reporter: commandReporter,
        logger: memoryLogger(),
      };
      const outcome = await new CommandExecutor().run(context);
      expect(outcome).toEqual({ status: "failed", kind: "USER_ERROR", message: `${process.execPath} exited with code 4: last error line` });
      expect(commandSeen.logs).toContain(ARTIFACT_LINE);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("stops the process group when the signal aborts", async () => {
    const { seen, reporter } = recorder();
    const abort = new AbortController();
    const running = runStepProcess(
      options(reporter, {
        args: ["-e", `process.on("SIGTERM", () => { console.log("got SIGTERM"); process.exit(143); }); console.log("ready"); setInterval(() => {}, 1000);`],
        signal: abort.signal,
      }),
    );
    const deadline = Date.now() + 10_000;
    while (!seen.logs.includes("ready") && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    abort.abort();
    expect(await running).toMatchObject({ started: true, code: 143, stoppedBy: "signal" });
    expect(seen.logs).toContain("got SIGTERM");
  });

  it("says when the program cannot start", async () => {
    const { reporter } = recorder();
    const result = await runStepProcess(options(reporter, { file: "/definitely/not/python" }));
    expect(result).toEqual({ started: false, message: expect.stringContaining("could not start /definitely/not/python: spawn /definitely/not/python ENOENT") });
  });
});

describe("BlobClient (streaming PUT /v1/blobs/sha256/<hex>)", () => {
  let api: FakeApi;
  let dir: string;
  let file: string;
  let hex: string;
  const bytes = Buffer.alloc(2 * 1024 * 1024 + 5, 7);

  beforeAll(async () => {
    api = await FakeApi.start();
    dir = await mkdtemp(join(tmpdir(), "blob-client-"));
    file = join(dir, "blob.bin");
    await writeFile(file, bytes);
    hex = createHash("sha256").update(bytes).digest("hex");
  });

  afterAll(async () => {
    await api.close();
    await rm(dir, { recursive: true, force: true });
  });

  const client = (token = api.runnerToken) => new BlobClient(api.url, () => `Bearer ${token}`);

  it("uploads the file's bytes: 201 when stored, 200 when the API had them", async () => {
    expect(await client().put(hex, file)).toEqual({ created: true, sizeBytes: bytes.length });
    expect(api.blobs.get(hex)?.equals(bytes)).toBe(true);
    expect(await client().put(hex, file)).toEqual({ created: false, sizeBytes: bytes.length });
  });

  it("a refusal is an ApiError (bad token, wrong digest); a 503 or a dead API may pass", async () => {
    await expect(client("wrong").put(hex, file)).rejects.toMatchObject({ name: "ApiError", code: "UNAUTHENTICATED", status: 401 });
    const wrong = "0".repeat(64);
    const mismatch = await client().put(wrong, file).catch((error: unknown) => error);
    expect(mismatch).toBeInstanceOf(ApiError);
    expect(mismatch).toMatchObject({ reason: "DIGEST_MISMATCH", status: 400 });
    api.failBlobPuts = 1;
    await expect(client().put(hex, file)).rejects.toBeInstanceOf(ApiUnreachableError);
    await expect(new BlobClient("http://127.0.0.1:1", () => "Bearer x").put(hex, file)).rejects.toBeInstanceOf(ApiUnreachableError);
  });

  it("rejects with the signal's reason when aborted, before or during the upload", async () => {
    const abort = new AbortController();
    const reason = { why: "cancel" };
    abort.abort(reason);
    await expect(client().put(hex, file, abort.signal)).rejects.toBe(reason);

    // An API that takes the connection and never answers.
    const silent = createServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
    try {
      const port = (silent.address() as AddressInfo).port;
      const during = new AbortController();
      const upload = new BlobClient(`http://127.0.0.1:${port}`, () => "Bearer x").put(hex, file, during.signal);
      setTimeout(() => during.abort(reason), 100);
      await expect(upload).rejects.toBe(reason);
    } finally {
      silent.closeAllConnections();
      await new Promise((resolve) => silent.close(resolve));
    }
  });
});
