/**
 * `distillery pull` benchmark: the CLI's download rate and memory on one big model.
 *
 * What it measures, on one random file of BENCH_PULL_MB MiB (default 1024 = 1 GiB):
 *   - `sha256sum <file>` wall time: the reference (read + hash on this machine, in this run);
 *   - `distillery pull bench@v1 -o <new file>` wall time, the whole command: start, resolving the
 *     ref, the GET streamed through sha256 onto disk, the rename. No partial file, no existing
 *     output: a fresh download. Goal: at least 0.7x the sha256sum rate;
 *   - the CLI's peak RSS (VmHWM of its /proc/<pid>/status, polled every 20 ms until it exits).
 *     A streaming download keeps it flat whatever the size. Goal: under 150 MB.
 * The model is pushed with `distillery push` first (untimed). Rates are in MiB/s (1 MiB = 1,048,576
 * bytes); the API server, the CLI and sha256sum share this machine's cores.
 *
 * It starts its own API server (apps/api/dist/main.js) on a free port with a temporary data
 * directory and removes everything at the end, also on error or Ctrl-C.
 *
 * Run:  npm run bench:pull                     (builds first; 1 GiB: ~3 GiB of temporary disk)
 *       BENCH_PULL_MB=128 npm run bench:pull   (quick run)
 * Linux only (/proc, sha256sum).
 */
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { open } from "node:fs/promises";
import * as path from "node:path";
import { performance } from "node:perf_hooks";
import { runBench } from "./support/harness";
import { REPO_ROOT } from "../support/repo-root";
import { ApiServer } from "./support/start-api";
import { fmtRatio, printParameters, printTable, positiveIntEnv } from "./support/stats";

const MIB = 1024 * 1024;
const CLI = path.join(REPO_ROOT, "apps", "cli", "dist", "bin.js");
const RSS_POLL_MS = 20;
const GOAL_RATIO = 0.7;
const GOAL_RSS_MB = 150;

interface Finished {
  code: number | null;
  ms: number;
  stdout: string;
  stderr: string;
  /** The highest VmHWM read while it ran, in KiB (0 when /proc could not be read). */
  peakKiB: number;
}

/** Runs a command to the end, timing it and polling its peak RSS. */
function run(command: string, args: string[], env: NodeJS.ProcessEnv = process.env): Promise<Finished> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(command, args, { env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    let peakKiB = 0;
    const poll = setInterval(() => (peakKiB = Math.max(peakKiB, peakRssKiB(child.pid))), RSS_POLL_MS);
    child.stdout.setEncoding("utf8").on("data", (text: string) => (stdout += text));
    child.stderr.setEncoding("utf8").on("data", (text: string) => (stderr += text));
    child.on("error", (error) => {
      clearInterval(poll);
      reject(error);
    });
    child.on("close", (code) => {
      clearInterval(poll);
      resolve({ code, ms: performance.now() - started, stdout, stderr, peakKiB });
    });
  });
}

function peakRssKiB(pid: number | undefined): number {
  try {
    return Number(/^VmHWM:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1] ?? 0);
  } catch {
    return 0; // exited between two polls
  }
}

/** `bytes` random bytes in 8 MiB writes. */
async function writeRandomFile(file: string, bytes: number): Promise<void> {
  const handle = await open(file, "w");
  try {
    for (let written = 0; written < bytes; ) {
      const chunk = randomBytes(Math.min(8 * MIB, bytes - written));
      await handle.write(chunk);
      written += chunk.length;
    }
  } finally {
    await handle.close();
  }
}

async function sha256sum(file: string): Promise<{ hex: string; ms: number }> {
  const result = await run("sha256sum", [file]);
  const hex = result.stdout.split(/\s+/)[0] ?? "";
  if (result.code !== 0 || !/^[0-9a-f]{64}$/.test(hex)) throw new Error(`sha256sum exited with ${result.code}: ${result.stderr.trim()}`);
  return { hex, ms: result.ms };
}

const mibps = (bytes: number, ms: number) => bytes / MIB / (ms / 1000);

async function main(): Promise<void> {
  const sizeMiB = positiveIntEnv("BENCH_PULL_MB", 1024, "MiB");
  const size = sizeMiB * MIB;
  await runBench("pull benchmark", async (ctx) => {
    printParameters("pull", [["BENCH_PULL_MB", sizeMiB]]);
    const source = path.join(ctx.tmp, "model.onnx");
    const pulled = path.join(ctx.tmp, "pulled.onnx");
    process.stdout.write(`writing ${sizeMiB} MiB of random bytes ... `);
    await writeRandomFile(source, size);
    console.log("done");

    const server = ctx.track(
      await ApiServer.spawn({ dataDir: path.join(ctx.tmp, "data"), logFile: path.join(ctx.tmp, "server.log"), env: { DISTILLERY_MAX_BLOB_BYTES: String(size + 64 * MIB) } }),
    );
    await server.waitForHealthVerbose();
    const env = { ...process.env, DISTILLERY_API: server.base, DISTILLERY_TOKEN: await server.readAdminToken(process.env["BENCH_TOKEN"]) };

    process.stdout.write("distillery push ... ");
    // --params: a 1 GiB file is not parsed as ONNX (nor is it ONNX).
    const pushed = await run(process.execPath, [CLI, "push", source, "--model", "bench", "--role", "student", "--precision", "fp32", "--params", "1"], env);
    if (pushed.code !== 0) throw new Error(`distillery push exited with ${pushed.code}: ${pushed.stderr.trim()}`);
    console.log(`${pushed.stdout.trim()} in ${(pushed.ms / 1000).toFixed(1)} s`);

    process.stdout.write("sha256sum ... ");
    const reference = await sha256sum(source);
    console.log(`${(reference.ms / 1000).toFixed(2)} s`);

    process.stdout.write("distillery pull ... ");
    const pull = await run(process.execPath, [CLI, "pull", "bench@v1", "-o", pulled], env);
    if (pull.code !== 0) throw new Error(`distillery pull exited with ${pull.code}: ${pull.stderr.trim()}`);
    console.log(`${(pull.ms / 1000).toFixed(2)} s; it said: ${pull.stderr.trim()}`);
    const check = await sha256sum(pulled);
    if (check.hex !== reference.hex) throw new Error(`the pulled file hashes to ${check.hex}, not ${reference.hex}`);

    const referenceRate = mibps(size, reference.ms);
    const pullRate = mibps(size, pull.ms);
    const ratio = pullRate / referenceRate;
    const rssMB = (pull.peakKiB * 1024) / 1e6;
    console.log("");
    printTable(
      ["measure", "value", "goal", "met"],
      [
        ["file size", `${sizeMiB} MiB`, "", ""],
        ["sha256sum (reference)", `${referenceRate.toFixed(1)} MiB/s`, "", ""],
        ["distillery pull (whole command)", `${pullRate.toFixed(1)} MiB/s`, "", ""],
        ["pull / sha256sum", fmtRatio(ratio), `>= ${GOAL_RATIO}`, ratio >= GOAL_RATIO ? "yes" : "no"],
        ["CLI peak RSS (VmHWM)", pull.peakKiB > 0 ? `${rssMB.toFixed(1)} MB` : "n/a", `< ${GOAL_RSS_MB} MB`, pull.peakKiB > 0 && rssMB < GOAL_RSS_MB ? "yes" : "no"],
      ],
      ["left", "right", "right", "left"],
    );
  });
}

main().catch((error: unknown) => {
  console.error(`benchmark failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
});
