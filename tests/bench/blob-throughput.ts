/**
 * Blob throughput benchmark for the API's blob routes.
 *
 * What it measures, on one random file of BENCH_BLOB_MB MiB (default 1024 = 1 GiB):
 *   - `sha256sum <file>` wall time: the physical reference (read + hash on this machine);
 *   - upload: PUT /v1/blobs/sha256/<hex>, the file streamed from disk (never buffered whole);
 *   - download: GET /v1/blobs/sha256/<hex>, streamed into a discarding sink, and a second GET
 *     streamed into sha256 to verify the bytes;
 *   - the API server's resident memory: RSS before the transfers and the peak during them
 *     (/proc/<pid>/status VmHWM, reset before the transfers when the kernel allows; VmRSS is
 *     also polled every 100 ms). A streaming server keeps the peak far below the file size.
 * Throughputs are in MiB/s (1 MiB = 1,048,576 bytes); ratios are relative to sha256sum.
 *
 * It starts its own API server (apps/api/dist/main.js) on a free port with a temporary data
 * directory (embedded PGlite, or PostgreSQL when DATABASE_URL is set), and removes everything at
 * the end, also on error. With DATABASE_URL pointing at a database that already has users, no
 * admin token is written: pass a WRITE-scoped token in BENCH_TOKEN.
 *
 * Run:  npm run bench:blobs                    (builds first; 1 GiB)
 *       BENCH_BLOB_MB=64 npm run bench:blobs   (quick run)
 * Linux only (/proc, sha256sum).
 */
import { spawn } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { createReadStream, writeFileSync, readFileSync } from "node:fs";
import { open } from "node:fs/promises";
import * as http from "node:http";
import * as path from "node:path";
import { performance } from "node:perf_hooks";
import { runBench } from "./support/harness";
import { printTable, positiveIntEnv } from "./support/stats";
import { ApiServer } from "./support/start-api";

const MIB = 1024 * 1024;
const CHUNK_BYTES = 8 * MIB;
const RSS_POLL_MS = 100;

/** Writes `bytes` random bytes in 8 MiB chunks and returns their sha256 (hex). */
async function writeRandomFile(file: string, bytes: number): Promise<string> {
  const hash = createHash("sha256");
  const fh = await open(file, "w");
  try {
    for (let written = 0; written < bytes; ) {
      const chunk = randomBytes(Math.min(CHUNK_BYTES, bytes - written));
      hash.update(chunk);
      let off = 0;
      while (off < chunk.length) {
        const { bytesWritten } = await fh.write(chunk, off, chunk.length - off);
        off += bytesWritten;
      }
      written += chunk.length;
    }
  } finally {
    await fh.close();
  }
  return hash.digest("hex");
}

/** Runs `sha256sum <file>`; returns the digest and the wall time in ms. */
function timeSha256sum(file: string): Promise<{ hex: string; ms: number }> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn("sha256sum", [file], { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    child.stdout.setEncoding("utf8").on("data", (s: string) => (out += s));
    child.stderr.setEncoding("utf8").on("data", (s: string) => (err += s));
    child.on("error", reject);
    child.on("close", (code) => {
      const ms = performance.now() - t0;
      const hex = out.trim().split(/\s+/)[0] ?? "";
      if (code !== 0 || !/^[0-9a-f]{64}$/.test(hex)) {
        reject(new Error(`sha256sum exited with ${code}: ${err.trim() || out.trim()}`));
      } else {
        resolve({ hex, ms });
      }
    });
  });
}

function procStatusKiB(pid: number, field: "VmRSS" | "VmHWM"): number | null {
  try {
    const m = new RegExp(`^${field}:\\s+(\\d+)\\s+kB`, "m").exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return m?.[1] !== undefined ? Number(m[1]) : null;
  } catch {
    return null;
  }
}

/** Resets the peak RSS (VmHWM) of a process we own; false where the kernel refuses. */
function resetPeakRss(pid: number): boolean {
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, "5");
    return true;
  } catch {
    return false;
  }
}

async function readBody(res: http.IncomingMessage, limit = 64 * 1024): Promise<string> {
  let body = "";
  for await (const chunk of res) {
    if (body.length < limit) body += (chunk as Buffer).toString("utf8");
  }
  return body.slice(0, limit);
}

/** PUT the file, streamed from disk; resolves when the response has ended. */
function upload(url: string, file: string, size: number, token: string): Promise<{ status: number; body: string; ms: number }> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    let settled = false;
    const fail = (e: Error) => {
      if (!settled) {
        settled = true;
        reject(e);
      }
    };
    const req = http.request(url, {
      method: "PUT",
      headers: {
        Authorization: `Bearer ${token}`,
        "Content-Type": "application/octet-stream",
        "Content-Length": String(size),
      },
    });
    req.on("response", (res) => {
      readBody(res).then(
        (body) => {
          if (!settled) {
            settled = true;
            resolve({ status: res.statusCode ?? 0, body, ms: performance.now() - t0 });
          }
        },
        (e: unknown) => fail(e instanceof Error ? e : new Error(String(e))),
      );
    });
    // An early error response (401, 413, ...) may cut the request body short: the response
    // handler settles first in that case, so these errors only matter when no response came.
    req.on("error", (e) => fail(new Error(`upload failed: ${e.message}`)));
    const src = createReadStream(file, { highWaterMark: MIB });
    src.on("error", (e) => {
      req.destroy(e);
      fail(e);
    });
    src.pipe(req);
  });
}

/** GET the blob; every chunk goes to `onChunk`. Resolves with the byte count when it has ended. */
function download(url: string, token: string, onChunk: (chunk: Buffer) => void): Promise<{ bytes: number; ms: number }> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const req = http.get(url, { headers: { Authorization: `Bearer ${token}` } }, (res) => {
      if (res.statusCode !== 200) {
        readBody(res).then(
          (body) => reject(new Error(`GET answered ${res.statusCode}: ${body}`)),
          reject,
        );
        return;
      }
      let bytes = 0;
      res.on("data", (chunk: Buffer) => {
        bytes += chunk.length;
        onChunk(chunk);
      });
      res.on("end", () => resolve({ bytes, ms: performance.now() - t0 }));
      res.on("error", reject);
    });
    req.on("error", reject);
  });
}

const mibps = (bytes: number, ms: number) => bytes / MIB / (ms / 1000);

async function main(): Promise<void> {
  const sizeMiB = positiveIntEnv("BENCH_BLOB_MB", 1024, "MiB");
  const size = sizeMiB * MIB;

  await runBench("benchmark", async (ctx) => {
    const { tmp } = ctx;
    const blobFile = path.join(tmp, "blob.bin");
    let rssTimer: NodeJS.Timeout | undefined;
    ctx.onCleanup(() => {
      if (rssTimer !== undefined) clearInterval(rssTimer);
    });

    console.log(`blob-throughput: ${sizeMiB} MiB, temp dir ${tmp}`);
    console.log(`database: ${process.env["DATABASE_URL"] ? "PostgreSQL (DATABASE_URL)" : "embedded PGlite"}`);

    process.stdout.write("writing random file ... ");
    const expected = await writeRandomFile(blobFile, size);
    console.log("done");

    process.stdout.write("sha256sum ... ");
    const ref = await timeSha256sum(blobFile);
    if (ref.hex !== expected) throw new Error(`sha256sum gave ${ref.hex}, expected ${expected}`);
    console.log(`${(ref.ms / 1000).toFixed(2)} s`);

    const server = ctx.track(
      await ApiServer.spawn({
        dataDir: path.join(tmp, "data"),
        logFile: path.join(tmp, "server.log"),
        env: { DISTILLERY_MAX_BLOB_BYTES: String(size + 64 * MIB) },
      }),
    );
    const { pid, base } = server;
    await server.waitForHealthVerbose();
    const token = await server.readAdminToken(process.env["BENCH_TOKEN"]);

    const rssBeforeKiB = procStatusKiB(pid, "VmRSS");
    const peakReset = resetPeakRss(pid);
    let polledPeakKiB = rssBeforeKiB ?? 0;
    rssTimer = setInterval(() => {
      const rss = procStatusKiB(pid, "VmRSS");
      if (rss !== null && rss > polledPeakKiB) polledPeakKiB = rss;
    }, RSS_POLL_MS);

    const url = `${base}/v1/blobs/sha256/${expected}`;

    process.stdout.write("upload ... ");
    const up = await upload(url, blobFile, size, token);
    if (up.status !== 201 && up.status !== 200) throw new Error(`PUT answered ${up.status}: ${up.body}`);
    console.log(`${up.status} in ${(up.ms / 1000).toFixed(2)} s`);

    process.stdout.write("download (sink) ... ");
    const down = await download(url, token, () => undefined);
    if (down.bytes !== size) throw new Error(`GET returned ${down.bytes} bytes, expected ${size}`);
    console.log(`${(down.ms / 1000).toFixed(2)} s`);

    process.stdout.write("download (sha256 verify) ... ");
    const verifyHash = createHash("sha256");
    const verify = await download(url, token, (chunk) => verifyHash.update(chunk));
    const got = verifyHash.digest("hex");
    if (verify.bytes !== size || got !== expected) {
      throw new Error(`downloaded blob differs: ${verify.bytes} bytes, sha256 ${got}; expected ${size} bytes, ${expected}`);
    }
    console.log(`${(verify.ms / 1000).toFixed(2)} s, digest ok`);

    clearInterval(rssTimer);
    rssTimer = undefined;
    const hwmKiB = procStatusKiB(pid, "VmHWM");
    const peakKiB = Math.max(hwmKiB ?? 0, polledPeakKiB);

    const refRate = mibps(size, ref.ms);
    const upRate = mibps(size, up.ms);
    const downRate = mibps(size, down.ms);
    const verifyRate = mibps(size, verify.ms);
    console.log("");
    printTable(
      ["measure", "value", "vs sha256sum"],
      [
        ["file size", `${sizeMiB} MiB`, ""],
        ["sha256sum (reference)", `${refRate.toFixed(1)} MiB/s`, "1.00"],
        [`upload (PUT, ${up.status})`, `${upRate.toFixed(1)} MiB/s`, (upRate / refRate).toFixed(2)],
        ["download (GET -> sink)", `${downRate.toFixed(1)} MiB/s`, (downRate / refRate).toFixed(2)],
        ["download (GET -> sha256)", `${verifyRate.toFixed(1)} MiB/s`, (verifyRate / refRate).toFixed(2)],
        ["server RSS before transfers", rssBeforeKiB === null ? "n/a" : `${(rssBeforeKiB / 1024).toFixed(1)} MiB`, ""],
        [peakReset ? "server peak RSS during transfers" : "server peak RSS since start", `${(peakKiB / 1024).toFixed(1)} MiB`, ""],
      ],
      ["left", "right", "left"],
    );
  });
}

main().catch((e: unknown) => {
  console.error(`benchmark failed: ${e instanceof Error ? e.message : String(e)}`);
  process.exitCode = 1;
});
