import { type ChildProcess, spawnSync } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, open, readdir, readFile, stat, writeFile } from "node:fs/promises";
import { connect as connectTcp } from "node:net";
import { join } from "node:path";
import { createServer as createTlsServer } from "node:tls";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ApiServer, freePort, startApiServer } from "./support/api-server";
import { cli, startCli } from "./support/cli-process";
import { startStallingProxy } from "./support/stalling-proxy";

const MIB = 1024 * 1024;
const hasOpenssl = spawnSync("openssl", ["version"]).status === 0;

describe("distillery pull (the CLI as a child process, the real API on PGlite)", () => {
  let server: ApiServer;
  let scratch: string;
  let fileCount = 0;

  /** The CLI in `cwd` (default: a fresh folder) against the API with the admin token. */
  const distillery = (args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}) =>
    cli(args, { cwd: options.cwd ?? scratch, env: { DISTILLERY_API: server.url, DISTILLERY_TOKEN: server.admin, ...options.env } });

  /** A file of random bytes; its path and sha256. */
  const randomFile = async (bytes: number) => {
    const path = join(scratch, `model-${(fileCount += 1)}.onnx`);
    const content = randomBytes(bytes);
    await writeFile(path, content);
    return { path, hex: createHash("sha256").update(content).digest("hex"), content };
  };

  /** `distillery push`, which must succeed: the new ref. */
  const push = async (path: string, args: string[]) => {
    const result = await distillery(["push", path, ...args]);
    expect(result.code, result.stderr).toBe(0);
    return result.stdout.trim();
  };

  const newFolder = async (name: string) => {
    const folder = join(scratch, name);
    await mkdir(folder);
    return folder;
  };

  const sha256Of = async (path: string) => createHash("sha256").update(await readFile(path)).digest("hex");

  /** The API's count of blob bytes it has sent (Prometheus, GET /metrics). */
  const blobBytesSent = async () => {
    const text = await (await fetch(`${server.url}/metrics`, { headers: { authorization: `Bearer ${server.admin}` } })).text();
    const line = /^distillery_blob_bytes_total\{direction="out"\} (\d+)$/m.exec(text);
    return line ? Number(line[1]) : 0;
  };

  beforeAll(async () => {
    server = await startApiServer();
    scratch = join(server.dataDir, "scratch");
    await mkdir(scratch);
  }, 120_000);

  afterAll(async () => {
    await server?.stop();
  });

  it("pulls by alias and by version: the path on stdout, the bytes verified; a second pull downloads nothing", async () => {
    const model = await randomFile(3 * MIB + 17);
    expect(await push(model.path, ["--model", "student", "--role", "student", "--precision", "fp32", "--alias", "production"])).toBe("student@v1");
    const here = await newFolder("by-alias");

    const byAlias = await distillery(["pull", "student@production"], { cwd: here });
    expect(byAlias.code, byAlias.stderr).toBe(0);
    expect(byAlias.stdout).toBe(`${join(here, "student-v1-fp32.onnx")}\n`);
    expect(byAlias.stderr).toMatch(/^student@production -> student@v1: 3\.0 MiB in .* sha256 verified: student-v1-fp32\.onnx\n$/);
    expect(await sha256Of(join(here, "student-v1-fp32.onnx"))).toBe(model.hex);
    expect(await readdir(here)).toEqual(["student-v1-fp32.onnx"]);

    const sentBefore = await blobBytesSent();
    const again = await distillery(["pull", "student@production", "--json"], { cwd: here });
    expect(again.code, again.stderr).toBe(0);
    expect(JSON.parse(again.stdout)).toEqual({
      ref: "student@production",
      resolved: "student@v1",
      digest: `sha256:${model.hex}`,
      sizeBytes: 3 * MIB + 17,
      path: join(here, "student-v1-fp32.onnx"),
      downloaded: false,
      resumedFrom: 0,
      precision: "FP32",
      method: null,
      format: "ONNX",
    });
    expect(again.stderr).toContain("up to date");
    expect(await blobBytesSent()).toBe(sentBefore);

    // A file with other bytes at the output path is replaced by the verified download.
    const target = join(here, "mine.onnx");
    await writeFile(target, "stale bytes");
    const byVersion = await distillery(["pull", "student@v1", "-o", target]);
    expect(byVersion.code, byVersion.stderr).toBe(0);
    expect(byVersion.stdout).toBe(`${target}\n`);
    expect(await sha256Of(target)).toBe(model.hex);

    // -o naming a folder puts the default name inside it.
    const folder = await newFolder("into-folder");
    const intoFolder = await distillery(["pull", "student", "-o", folder]);
    expect(intoFolder.code, intoFolder.stderr).toBe(0);
    expect(intoFolder.stdout).toBe(`${join(folder, "student-v1-fp32.onnx")}\n`);
  });

  it("--precision int8 follows QUANTIZED_FROM to the newest int8 variant; --method picks int8-static or int8-dynamic", async () => {
    const fp32 = await randomFile(2 * MIB);
    const source = await push(fp32.path, ["--model", "unet", "--role", "student", "--precision", "fp32", "--alias", "production"]);
    const staticInt8 = await randomFile(MIB);
    const dynamicInt8 = await randomFile(MIB + 1);
    const quantized = (method: string) => ["--model", "unet", "--precision", "int8", "--parent", `${source}:quantized_from`, "--metadata", JSON.stringify({ quantization: { method } })];
    expect(await push(staticInt8.path, quantized("int8-static"))).toBe("unet@v2");
    expect(await push(dynamicInt8.path, quantized("int8-dynamic"))).toBe("unet@v3");
    const here = await newFolder("precision");

    const newest = await distillery(["pull", "unet@production", "--precision", "int8", "--json"], { cwd: here });
    expect(newest.code, newest.stderr).toBe(0);
    expect(JSON.parse(newest.stdout)).toMatchObject({ resolved: "unet@v3", precision: "INT8", method: "int8-dynamic", path: join(here, "unet-v3-int8.onnx") });
    expect(await sha256Of(join(here, "unet-v3-int8.onnx"))).toBe(dynamicInt8.hex);

    const chosen = await distillery(["pull", "unet@production", "--method", "int8-static", "--json"], { cwd: here });
    expect(chosen.code, chosen.stderr).toBe(0);
    expect(JSON.parse(chosen.stdout)).toMatchObject({ resolved: "unet@v2", precision: "INT8", method: "int8-static" });
    expect(await sha256Of(join(here, "unet-v2-int8.onnx"))).toBe(staticInt8.hex);

    const noFp16 = await distillery(["pull", "unet@production", "--precision", "fp16"], { cwd: here });
    expect(noFp16.code).toBe(4);
    expect(noFp16.stderr).toMatch(/^distillery: VERSION_NOT_FOUND: .*no ready FP16 version/);
  });

  it("--lock records what the ref resolved to; after the alias moves --frozen exits 6 and downloads nothing; without --frozen the lock follows", async () => {
    const first = await push((await randomFile(MIB)).path, ["--model", "deployed", "--role", "student", "--precision", "fp32", "--alias", "production"]);
    const firstInt8 = await randomFile(MIB / 2);
    await push(firstInt8.path, ["--model", "deployed", "--precision", "int8", "--parent", `${first}:quantized_from`]);
    const repo = await newFolder("repo");
    const lockPath = join(repo, "distillery.lock");

    const locked = await distillery(["pull", "deployed@production", "--precision", "int8", "--lock", "distillery.lock"], { cwd: repo });
    expect(locked.code, locked.stderr).toBe(0);
    expect(locked.stderr).toContain(`wrote "deployed@production#int8" to distillery.lock`);
    const lockText = await readFile(lockPath, "utf8");
    expect(JSON.parse(lockText)).toEqual({
      lockfileVersion: 1,
      models: {
        "deployed@production#int8": {
          ref: "deployed@production",
          precision: "int8",
          resolved: "deployed@v2",
          digest: `sha256:${firstInt8.hex}`,
          sizeBytes: MIB / 2,
          format: "ONNX",
        },
      },
    });

    const frozen = await distillery(["pull", "deployed@production", "--precision", "int8", "--lock", "distillery.lock", "--frozen"], { cwd: repo });
    expect(frozen.code, frozen.stderr).toBe(0);
    expect(frozen.stderr).toContain("matches distillery.lock");

    // The alias moves to a new version with its own int8 variant.
    const second = await push((await randomFile(MIB)).path, ["--model", "deployed", "--precision", "fp32", "--alias", "production"]);
    const secondInt8 = await randomFile(MIB / 2 + 3);
    await push(secondInt8.path, ["--model", "deployed", "--precision", "int8", "--parent", `${second}:quantized_from`]);
    const ci = await newFolder("ci-checkout");
    await writeFile(join(ci, "distillery.lock"), lockText);
    const sentBefore = await blobBytesSent();
    const moved = await distillery(["pull", "deployed@production", "--precision", "int8", "--lock", "distillery.lock", "--frozen"], { cwd: ci });
    expect(moved.code).toBe(6);
    expect(moved.stderr).toBe(
      `distillery: deployed@production (int8) now resolves to deployed@v4 (sha256:${secondInt8.hex.slice(0, 12)}…), but distillery.lock locks deployed@v2 (sha256:${firstInt8.hex.slice(0, 12)}…); ` +
        "nothing was downloaded. To take deployed@v4: run distillery pull deployed@production --precision int8 --lock distillery.lock (without --frozen) and commit distillery.lock\n",
    );
    expect(await readdir(ci)).toEqual(["distillery.lock"]);
    expect(await readFile(join(ci, "distillery.lock"), "utf8")).toBe(lockText);
    expect(await blobBytesSent()).toBe(sentBefore);

    const updated = await distillery(["pull", "deployed@production", "--precision", "int8", "--lock", "distillery.lock"], { cwd: ci });
    expect(updated.code, updated.stderr).toBe(0);
    expect(updated.stdout).toBe(`${join(ci, "deployed-v4-int8.onnx")}\n`);
    const entry = JSON.parse(await readFile(join(ci, "distillery.lock"), "utf8")).models["deployed@production#int8"];
    expect(entry).toMatchObject({ resolved: "deployed@v4", digest: `sha256:${secondInt8.hex}`, sizeBytes: MIB / 2 + 3 });

    // The alias moves again, to a version with no int8 variant: the locked ref resolves to nothing, still exit 6.
    await push((await randomFile(MIB)).path, ["--model", "deployed", "--precision", "fp32", "--alias", "production"]);
    const gone = await distillery(["pull", "deployed@production", "--precision", "int8", "--lock", "distillery.lock", "--frozen"], { cwd: ci });
    expect(gone.code).toBe(6);
    expect(gone.stderr).toMatch(/^distillery: deployed@production \(int8\) no longer resolves \(VERSION_NOT_FOUND: .*\), but distillery.lock locks deployed@v4; nothing was downloaded\./);

    // What --frozen needs and does not find: exit 6 (no entry, no file) or 2 (no --lock), with what to do.
    const noEntry = await distillery(["pull", "deployed@production", "--lock", "distillery.lock", "--frozen"], { cwd: ci });
    expect(noEntry.code).toBe(6);
    expect(noEntry.stderr).toContain(`distillery.lock has no entry "deployed@production": run distillery pull deployed@production --lock distillery.lock (without --frozen) to add it`);
    const noFile = await distillery(["pull", "deployed@production", "--lock", "missing.lock", "--frozen"], { cwd: ci });
    expect(noFile.code).toBe(6);
    const noLock = await distillery(["pull", "deployed@production", "--frozen"], { cwd: ci });
    expect(noLock.code).toBe(2);
  });

  it("resumes a download killed midway: it hashes the kept bytes, asks for the rest with a Range request, and gets only those", async () => {
    const model = await randomFile(4 * MIB + 123);
    await push(model.path, ["--model", "resumable", "--role", "student", "--precision", "fp32"]);
    const here = await newFolder("resume");
    const output = join(here, "resumable.onnx");
    const partial = `${output}.sha256-${model.hex.slice(0, 16)}.part`;
    const cutAt = MIB + MIB / 2;

    // The first pull goes through a proxy that lets 1.5 MiB of the blob through and then goes silent.
    const proxy = await startStallingProxy(server.url, cutAt);
    try {
      const first = startCli(["pull", "resumable@v1", "-o", output, "--api", proxy.url, "--token", server.admin], { cwd: here });
      await waitFor(async () => (await sizeOf(partial)) === cutAt, `the partial file to hold ${cutAt} bytes`, first.child);
      first.child.kill("SIGKILL");
      expect((await first.finished).signal).toBe("SIGKILL");
    } finally {
      await proxy.close();
    }
    expect(existsSync(output)).toBe(false);

    const sentBefore = await blobBytesSent();
    const resumed = await distillery(["pull", "resumable@v1", "-o", output, "--json"], { cwd: here });
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stderr).toContain(`resumed at ${cutAt} bytes`);
    expect(JSON.parse(resumed.stdout)).toMatchObject({ downloaded: true, resumedFrom: cutAt, path: output });
    expect(await blobBytesSent()).toBe(sentBefore + model.content.length - cutAt);
    expect(await sha256Of(output)).toBe(model.hex);
    expect(await readdir(here)).toEqual(["resumable.onnx"]);
  });

  it("kept bytes that do not lead to the digest are thrown away and the blob fetched once more from the start; so is a partial file too long to be the blob's beginning", async () => {
    const model = await randomFile(2 * MIB);
    await push(model.path, ["--model", "garbled", "--role", "student", "--precision", "fp32"]);
    const here = await newFolder("garbled");
    const output = join(here, "garbled.onnx");
    const partial = `${output}.sha256-${model.hex.slice(0, 16)}.part`;

    await writeFile(partial, randomBytes(MIB)); // not the blob's first MiB
    const sentBefore = await blobBytesSent();
    const recovered = await distillery(["pull", "garbled", "-o", output, "--json"], { cwd: here });
    expect(recovered.code, recovered.stderr).toBe(0);
    expect(recovered.stderr).toContain(`the ${MIB} bytes kept from an earlier pull did not lead to sha256:${model.hex}: downloading garbled@v1 from the start`);
    expect(JSON.parse(recovered.stdout)).toMatchObject({ downloaded: true, resumedFrom: 0 });
    expect(await blobBytesSent()).toBe(sentBefore + MIB + 2 * MIB);
    expect(await sha256Of(output)).toBe(model.hex);

    const elsewhere = join(here, "again.onnx");
    await writeFile(`${elsewhere}.sha256-${model.hex.slice(0, 16)}.part`, randomBytes(2 * MIB + 1));
    const restarted = await distillery(["pull", "garbled", "-o", elsewhere, "--json"], { cwd: here });
    expect(restarted.code, restarted.stderr).toBe(0);
    expect(JSON.parse(restarted.stdout)).toMatchObject({ downloaded: true, resumedFrom: 0 });
    expect(await sha256Of(elsewhere)).toBe(model.hex);
    expect((await readdir(here)).sort()).toEqual(["again.onnx", "garbled.onnx"]);
  });

  it("Ctrl-C keeps the partial file (exit 130); a silent connection is given up after --idle-timeout (exit 7), still keeping it", async () => {
    const model = await randomFile(3 * MIB);
    await push(model.path, ["--model", "patient", "--role", "student", "--precision", "fp32"]);
    const here = await newFolder("interrupt");
    const output = join(here, "patient.onnx");
    const partial = `${output}.sha256-${model.hex.slice(0, 16)}.part`;

    const firstProxy = await startStallingProxy(server.url, MIB);
    try {
      const interrupted = startCli(["pull", "patient", "-o", output, "--api", firstProxy.url, "--token", server.admin], { cwd: here });
      await waitFor(async () => (await sizeOf(partial)) === MIB, `the partial file to hold ${MIB} bytes`, interrupted.child);
      interrupted.child.kill("SIGINT");
      const finished = await interrupted.finished;
      expect(finished.code, finished.stderr).toBe(130);
      expect(finished.stderr).toBe(`distillery: interrupted; ${MIB} of ${3 * MIB} bytes are kept in ${partial}: run the same command again to resume\n`);
    } finally {
      await firstProxy.close();
    }
    expect(await sizeOf(partial)).toBe(MIB);

    // The next try resumes at 1 MiB, gets 0.5 MiB more through this proxy, and hears nothing after that.
    const secondProxy = await startStallingProxy(server.url, MIB / 2);
    try {
      const idle = await distillery(["pull", "patient", "-o", output, "--api", secondProxy.url, "--token", server.admin, "--idle-timeout", "1"], { cwd: here });
      expect(idle.code, idle.stderr).toBe(7);
      expect(idle.stderr).toMatch(/stopped \(no bytes for 1 s\); 1572864 of 3145728 bytes are kept in .*: run the same command again to resume\n$/);
    } finally {
      await secondProxy.close();
    }
    const finished = await distillery(["pull", "patient", "-o", output], { cwd: here });
    expect(finished.code, finished.stderr).toBe(0);
    expect(finished.stderr).toContain(`resumed at ${MIB + MIB / 2} bytes`);
    expect(await sha256Of(output)).toBe(model.hex);
  });

  it("a blob corrupted on the server fails with exit 5, naming both digests, and leaves neither the file nor a partial", async () => {
    const model = await randomFile(2 * MIB);
    await push(model.path, ["--model", "fragile", "--role", "student", "--precision", "fp32"]);
    const stored = join(server.dataDir, "blobs", "sha256", model.hex.slice(0, 2), model.hex);
    const handle = await open(stored, "r+");
    await handle.write(Buffer.from("bit rot"), 0, 7, MIB);
    await handle.close();
    const here = await newFolder("corrupt");

    const result = await distillery(["pull", "fragile@v1"], { cwd: here });
    expect(result.code).toBe(5);
    expect(result.stdout).toBe("");
    const actual = createHash("sha256").update(await readFile(stored)).digest("hex");
    expect(result.stderr).toBe(
      `distillery: DIGEST_MISMATCH: fragile@v1: the downloaded bytes hash to sha256:${actual}, but the registry says sha256:${model.hex}; nothing was written (the server's copy may be corrupt)\n`,
    );
    expect(await readdir(here)).toEqual([]);
  });

  it.runIf(hasOpenssl || process.env.CI === "true")("pulls over https (a TLS proxy in front of the API, its certificate trusted through NODE_EXTRA_CA_CERTS)", async () => {
    const model = await randomFile(2 * MIB + 5);
    await push(model.path, ["--model", "secure", "--role", "student", "--precision", "fp32", "--alias", "production"]);
    const here = await newFolder("https");
    const certificate = spawnSync("openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "key.pem", "-out", "cert.pem", "-days", "1", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"], { cwd: here });
    expect(certificate.status, certificate.stderr.toString()).toBe(0);
    const apiPort = Number(new URL(server.url).port);
    const tlsProxy = createTlsServer({ key: await readFile(join(here, "key.pem")), cert: await readFile(join(here, "cert.pem")) }, (client) => {
      const upstream = connectTcp(apiPort, "127.0.0.1");
      client.pipe(upstream).pipe(client);
      client.on("error", () => upstream.destroy());
      upstream.on("error", () => client.destroy());
    });
    await new Promise<void>((done) => tlsProxy.listen(0, "127.0.0.1", done));
    try {
      const address = tlsProxy.address();
      const api = `https://127.0.0.1:${typeof address === "object" && address ? address.port : 0}`;
      const result = await distillery(["pull", "secure@production", "--api", api], { cwd: here, env: { NODE_EXTRA_CA_CERTS: join(here, "cert.pem") } });
      expect(result.code, result.stderr).toBe(0);
      expect(await sha256Of(join(here, "secure-v1-fp32.onnx"))).toBe(model.hex);

      // Without the certificate trusted, the connection is refused: exit 7, nothing written.
      const untrusted = await distillery(["pull", "secure@production", "--api", api, "-o", "other.onnx"], { cwd: here });
      expect(untrusted.code).toBe(7);
      expect(existsSync(join(here, "other.onnx"))).toBe(false);
    } finally {
      await new Promise((done) => tlsProxy.close(done));
    }
  });

  it("says in one line why it cannot pull, with the exit status for the reason", async () => {
    await push((await randomFile(1024)).path, ["--model", "tiny", "--role", "teacher", "--precision", "fp32"]);
    const here = await newFolder("errors");
    const failures: Array<[string[], number, RegExp]> = [
      [["pull", "tiny", "--token", "dst_wrong"], 3, /^distillery: TOKEN_INVALID: /],
      [["pull", "tiny@v9"], 4, /^distillery: VERSION_NOT_FOUND: Model "tiny" has no version 9\n$/],
      [["pull", "tiny@staging"], 4, /^distillery: ALIAS_NOT_FOUND: /],
      [["pull", "nobody"], 4, /^distillery: MODEL_NOT_FOUND: No model named "nobody"\n$/],
      [["pull", "tiny", "--method", "int8-static"], 4, /^distillery: tiny resolves to tiny@v1, which has no ready int8-static version quantized from it\n$/],
      [["pull"], 2, /needs a <ref>/],
      [["pull", "Not A Ref"], 2, /is not a ref/],
      [["pull", "tiny", "--precision", "int4"], 2, /--precision must be fp32, fp16, int8/],
      [["pull", "tiny", "--method", "int8-static", "--precision", "fp16"], 2, /does not go with --precision/],
      [["pull", "tiny", "--idle-timeout", "0"], 2, /--idle-timeout must be a whole number/],
      [["pull", "tiny", "--bogus"], 2, /Unknown option '--bogus'/],
    ];
    for (const [args, code, message] of failures) {
      const result = await distillery(args, { cwd: here });
      expect({ args, code: result.code }).toEqual({ args, code });
      expect(result.stderr).toMatch(message);
    }
    const away = await distillery(["pull", "tiny", "--api", `http://127.0.0.1:${await freePort()}`], { cwd: here });
    expect(away.code).toBe(7);
    expect(away.stderr).toMatch(/^distillery: cannot reach http:\/\/127\.0\.0\.1:\d+: .*ECONNREFUSED/);
    expect(await readdir(here)).toEqual([]);
  });
});


async function sizeOf(path: string): Promise<number | undefined> {
  return stat(path).then(
    (info) => info.size,
    () => undefined,
  );
}

/** Polls every 20 ms for up to 60 s; fails early, with what it printed, if `child` exits first. */
async function waitFor(condition: () => Promise<boolean>, what: string, child: ChildProcess): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (!(await condition())) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`the CLI exited (${child.exitCode ?? child.signalCode}) before ${what}`);
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((done) => setTimeout(done, 20));
  }
}
