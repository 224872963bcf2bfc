import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, readdir } from "node:fs/promises";
import { dirname, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ApiServer, freePort, startApiServer } from "./support/api-server";
import { cli } from "./support/cli-process";

const FASHION_MNIST = "/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz";

describe("distillery dataset import (the real API on PGlite, the real trainer)", () => {
  let server: ApiServer;
  let dataDir: string;
  let scratch: string;
  let apiUrl: string;
  let admin: string;

  const graphql = (query: string, variables: Record<string, unknown> = {}, token = admin) => server.graphql(query, variables, token);
  /** The CLI as a user runs it next to `distillery up`: the admin token from the data dir; temp files in `scratch`. */
  const importDataset = (args: string[], env: NodeJS.ProcessEnv = {}) =>
    cli(["datasets", "import", ...args], { env: { DISTILLERY_API: apiUrl, DISTILLERY_DATA_DIR: dataDir, TMPDIR: scratch, ...env } });

  beforeAll(async () => {
    server = await startApiServer();
    ({ dataDir, admin, url: apiUrl } = server);
    scratch = join(dataDir, "scratch");
    await mkdir(scratch);
  }, 120_000);

  afterAll(async () => {
    await server?.stop();
  });

  it("exports synthetic images, uploads the npz, registers toy@v1 and prints its ref; the next import is toy@v2", async () => {
    const first = await importDataset(["synthetic", "--name", "toy", "--resolution", "8", "--limit", "32"]);
    expect(first.code, first.stderr + server.output()).toBe(0);
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
      description: "synthetic patterns, 32 images at 8x8 (distillery dataset import)",
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

  it.runIf(existsSync(FASHION_MNIST) || process.env.CI === "true")("imports a folder of IDX files (dataset import DIR)", async () => {
    const result = await cli(["dataset", "import", dirname(FASHION_MNIST), "--name", "fm-folder", "--split", "test", "--limit", "20", "--resolution", "8"], {
      env: { DISTILLERY_API: apiUrl, DISTILLERY_DATA_DIR: dataDir, TMPDIR: scratch },
    });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toBe("fm-folder@v1\n");
    const { data } = await graphql(`{ dataset(ref: "fm-folder@v1") { sampleCount imageShape description } }`);
    expect(data.dataset).toEqual({ sampleCount: 20, imageShape: [1, 8, 8], description: `Fashion-MNIST test split from ${dirname(FASHION_MNIST)}, 20 images at 8x8 (distillery dataset import)` });
  });

  it("says in one line why it cannot import, with the exit status for the reason, and registers nothing", async () => {
    const created = await graphql(`mutation { createApiToken(input: { name: "reader", scopes: [READ] }) { token } }`);
    const reader = created.data.createApiToken.token as string;
    const readOnly = await importDataset(["synthetic", "--name", "nope", "--limit", "8"], { DISTILLERY_TOKEN: reader });
    expect(readOnly.code).toBe(3);
    expect(readOnly.stderr).toBe('distillery: the token "reader" has READ scope; registering a dataset needs WRITE\n');

    const badToken = await importDataset(["synthetic", "--name", "nope", "--limit", "8", "--token", "dst_not_a_token"]);
    expect(badToken.code).toBe(3);
    expect(badToken.stderr).toMatch(/^distillery: [A-Z_]+: .*\n$/);

    const away = await importDataset(["synthetic", "--name", "nope", "--limit", "8", "--api", `http://127.0.0.1:${await freePort()}`]);
    expect(away.code).toBe(7);
    expect(away.stderr).toMatch(/^distillery: cannot reach http:\/\/127\.0\.0\.1:\d+: .*ECONNREFUSED/);

    const noTrainer = await importDataset(["synthetic", "--name", "nope", "--limit", "8"], { DISTILLERY_PYTHON: join(dataDir, "no-python") });
    expect(noTrainer.code).toBe(1);
    expect(noTrainer.stderr).toContain("cannot run");

    const noName = await importDataset(["synthetic", "--limit", "8"]);
    expect(noName.code).toBe(2);
    expect(noName.stderr).toContain("needs --name");
    const badSource = await importDataset(["imagenet", "--name", "nope"]);
    expect(badSource.code).toBe(4);
    expect(badSource.stderr).toBe("distillery: imagenet: no such folder (or use fashion-mnist or synthetic)\n");

    const datasets = await graphql(`{ datasets { edges { node { ref } } } }`);
    expect(datasets.data.datasets.edges.map((edge: { node: { ref: string } }) => edge.node.ref)).not.toContain("nope@v1");
    expect(await readdir(scratch)).toEqual([]);
  });
});
