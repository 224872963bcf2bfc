import { type ChildProcess, spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readFile, readdir, rm } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const BIN = resolve(__dirname, "..", "dist", "bin.js");
const FASHION_MNIST = "/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz";

function freePort(): Promise<number> {
  return new Promise((done) => {
    const server = createServer().listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => done(typeof address === "object" && address ? address.port : 0));
    });
  });
}

interface Finished {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** `node dist/bin.js …` to the end; the environment is the test's own, with `env` over it. */
function cli(args: string[], env: NodeJS.ProcessEnv): Promise<Finished> {
  const child = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, DISTILLERY_API: "", DISTILLERY_TOKEN: "", ...env }, stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((done) => child.once("close", (code) => done({ code, stdout, stderr })));
}

describe("distillery datasets import (the real API on PGlite, the real trainer)", () => {
  let dataDir: string;
  let scratch: string;
  let api: ChildProcess;
  let apiUrl: string;
  let apiOutput = "";
  let admin: string;

  const graphql = async (query: string, variables: Record<string, unknown> = {}, token = admin) => {
    const response = await fetch(`${apiUrl}/graphql`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
      body: JSON.stringify({ query, variables }),
    });
    return (await response.json()) as { data?: any; errors?: Array<{ message: string; extensions?: { code?: string; reason?: string } }> };
  };
  /** The CLI as a user runs it next to `distillery up`: the admin token from the data dir; temp files in `scratch`. */
  const importDataset = (args: string[], env: NodeJS.ProcessEnv = {}) =>
    cli(["datasets", "import", ...args], { DISTILLERY_API: apiUrl, DISTILLERY_DATA_DIR: dataDir, TMPDIR: scratch, ...env });

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), "distillery-datasets-"));
    scratch = join(dataDir, "scratch");
    await mkdir(scratch);
    const port = await freePort();
    apiUrl = `http://127.0.0.1:${port}`;
    api = spawn(process.execPath, [require.resolve("@distillery/api")], {
      env: { ...process.env, PORT: String(port), DISTILLERY_DATA_DIR: dataDir, DATABASE_URL: "", LOG_LEVEL: "warn" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    api.stdout?.on("data", (chunk: Buffer) => (apiOutput += chunk.toString()));
    api.stderr?.on("data", (chunk: Buffer) => (apiOutput += chunk.toString()));
    // Healthy within a deadline, or the reason it is not.
    const deadline = Date.now() + 90_000;
    for (;;) {
      if ((await fetch(`${apiUrl}/healthz`).catch(() => null))?.status === 200) break;
      if (api.exitCode !== null || Date.now() > deadline) throw new Error(`the API did not become healthy:\n${apiOutput}`);
      await new Promise((done) => setTimeout(done, 200));
    }
    admin = (await readFile(join(dataDir, "admin-token"), "utf8")).trim();
  }, 120_000);

  afterAll(async () => {
    if (api && api.exitCode === null) {
      const exited = new Promise((done) => api.once("exit", done));
      api.kill("SIGTERM");
      await exited;
    }
    await rm(dataDir, { recursive: true, force: true });
  });

  it("exports synthetic images, uploads the npz, registers toy@v1 and prints its ref; the next import is toy@v2", async () => {
    const first = await importDataset(["synthetic", "--name", "toy", "--resolution", "8", "--limit", "32"]);
    expect(first.code, first.stderr + apiOutput).toBe(0);
    expect(first.stdout).toBe("toy@v1\n");
    expect(first.stderr).toContain("exporting synthetic (resolution 8, first 32)");

    const { data } = await graphql(`query($ref: String!) { dataset(ref: $ref) { ref name version sampleCount imageShape classNames digest sizeBytes format description createdBy } }`, { ref: "toy@v1" });
    expect(data.dataset).toMatchObject({
      ref: "toy@v1",
      name: "toy",
      version: 1,
      sampleCount: 32,
      imageShape: [1, 8, 8],
      classNames: ["pattern-0", "pattern-1", "pattern-2", "pattern-3"],
      format: "NPZ",
      description: "synthetic patterns, 32 images at 8x8 (distillery datasets import)",
      createdBy: "admin",
    });
    // The blob is the npz the trainer wrote, under its digest.
    const blob = await fetch(`${apiUrl}/v1/blobs/sha256/${String(data.dataset.digest).replace(/^sha256:/, "")}`, { headers: { authorization: `Bearer ${admin}` } });
    expect(blob.status).toBe(200);
    const bytes = Buffer.from(await blob.arrayBuffer());
    expect(`sha256:${createHash("sha256").update(bytes).digest("hex")}`).toBe(data.dataset.digest);
    expect(bytes.length).toBe(data.dataset.sizeBytes);
    expect(bytes.subarray(0, 2).toString("latin1")).toBe("PK"); // an npz is a zip

    const second = await importDataset(["synthetic", "--name", "toy", "--resolution", "8", "--limit", "16", "--description", "smaller"]);
    expect(second.code, second.stderr).toBe(0);
    expect(second.stdout).toBe("toy@v2\n");
    const newest = await graphql(`{ dataset(ref: "toy") { ref sampleCount description } }`);
    expect(newest.data.dataset).toEqual({ ref: "toy@v2", sampleCount: 16, description: "smaller" });
    // The temporary export is gone.
    expect(await readdir(scratch)).toEqual([]);
  });

  it.runIf(existsSync(FASHION_MNIST) || process.env.CI === "true")("imports Fashion-MNIST from the Debian package", async () => {
    const result = await importDataset(["fashion-mnist", "--name", "fashion-mnist-test", "--split", "test", "--limit", "100"]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toBe("fashion-mnist-test@v1\n");
    const { data } = await graphql(`{ dataset(ref: "fashion-mnist-test@v1") { sampleCount imageShape classNames } }`);
    expect(data.dataset.sampleCount).toBe(100);
    expect(data.dataset.imageShape).toEqual([1, 16, 16]);
    expect(data.dataset.classNames).toHaveLength(10);
    expect(data.dataset.classNames[9]).toBe("ankle boot");
  });

  it("says in one line why it cannot import, with exit status 1 (2 for bad arguments), and registers nothing", async () => {
    const created = await graphql(`mutation { createApiToken(input: { name: "reader", scopes: [READ] }) { token } }`);
    const reader = created.data.createApiToken.token as string;
    const readOnly = await importDataset(["synthetic", "--name", "nope", "--limit", "8"], { DISTILLERY_TOKEN: reader });
    expect(readOnly.code).toBe(1);
    expect(readOnly.stderr).toBe('distillery: the token "reader" has READ scope; registering a dataset needs WRITE\n');

    const badToken = await importDataset(["synthetic", "--name", "nope", "--limit", "8", "--token", "dst_not_a_token"]);
    expect(badToken.code).toBe(1);
    expect(badToken.stderr).toMatch(/^distillery: .*\(UNAUTHENTICATED\)\n$/);

    const away = await importDataset(["synthetic", "--name", "nope", "--limit", "8", "--api", `http://127.0.0.1:${await freePort()}`]);
    expect(away.code).toBe(1);
    expect(away.stderr).toMatch(/^distillery: cannot talk to the API at http:\/\/127\.0\.0\.1:\d+: .*ECONNREFUSED/);

    const noTrainer = await importDataset(["synthetic", "--name", "nope", "--limit", "8"], { DISTILLERY_PYTHON: join(dataDir, "no-python") });
    expect(noTrainer.code).toBe(1);
    expect(noTrainer.stderr).toContain("cannot run");

    const noName = await importDataset(["synthetic", "--limit", "8"]);
    expect(noName.code).toBe(2);
    expect(noName.stderr).toContain("needs --name");
    const badSource = await importDataset(["imagenet", "--name", "nope"]);
    expect(badSource.code).toBe(2);
    expect(badSource.stderr).toContain('not "imagenet"');

    const datasets = await graphql(`{ datasets { edges { node { ref } } } }`);
    expect(datasets.data.datasets.edges.map((edge: { node: { ref: string } }) => edge.node.ref)).not.toContain("nope@v1");
    expect(await readdir(scratch)).toEqual([]);
  });
});
