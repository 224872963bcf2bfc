/**
 * Starts the built API server (apps/api/dist/main.js) as a child process on a free port, waits for
 * /healthz, reads the admin token it writes on first start, and stops it again. Shared by the
 * benchmarks; the server's stdout/stderr go to a log file whose tail is shown on failure.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { closeSync, existsSync, mkdirSync, openSync, readFileSync } from "node:fs";
import * as http from "node:http";
import * as path from "node:path";
import { performance } from "node:perf_hooks";
import { freePort } from "../../support/free-port";
import { REPO_ROOT } from "../../support/repo-root";

const HEALTH_DEADLINE_MS = 180_000;
const TOKEN_DEADLINE_MS = 30_000;
const STOP_DEADLINE_MS = 20_000;

export const API_MAIN = path.join(REPO_ROOT, "apps", "api", "dist", "main.js");

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));


/** One GET with a short timeout; resolves with the status code, or null on connection error. */
function probe(url: string): Promise<number | null> {
  return new Promise((resolve) => {
    const req = http.get(url, { timeout: 2_000 }, (res) => {
      res.resume();
      res.on("end", () => resolve(res.statusCode ?? null));
      res.on("error", () => resolve(null));
    });
    req.on("timeout", () => req.destroy());
    req.on("error", () => resolve(null));
  });
}

function waitForExit(child: ChildProcess, ms: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    child.once("exit", () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

export interface ApiOptions {
  /** DISTILLERY_DATA_DIR of the server (created if missing); the admin token lands here. */
  dataDir: string;
  /** Where the server's stdout and stderr go. */
  logFile: string;
  /** Added to (and overriding) this process's environment; PORT and DISTILLERY_DATA_DIR are set here. */
  env?: Record<string, string>;
}

/** A running API child process. Create with `ApiServer.spawn`, then `await waitForHealth()`. */
export class ApiServer {
  private constructor(
    readonly child: ChildProcess,
    readonly pid: number,
    readonly port: number,
    readonly base: string,
    readonly dataDir: string,
    readonly logFile: string,
  ) {}

  static async spawn(options: ApiOptions): Promise<ApiServer> {
    if (!existsSync(API_MAIN)) throw new Error(`${API_MAIN} not found: run \`npm run build\` first`);
    mkdirSync(options.dataDir, { recursive: true });
    const port = await freePort();
    const logFd = openSync(options.logFile, "a");
    let child: ChildProcess;
    try {
      // BENCH_API_NODE_ARGS: node flags for the server only, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof".
      const nodeArgs = (process.env["BENCH_API_NODE_ARGS"] ?? "").split(/\s+/).filter((a) => a !== "");
      child = spawn(process.execPath, [...nodeArgs, API_MAIN], {
        cwd: REPO_ROOT,
        env: {
          ...process.env,
          ...options.env,
          PORT: String(port),
          DISTILLERY_DATA_DIR: options.dataDir,
        },
        stdio: ["ignore", logFd, logFd],
      });
    } finally {
      closeSync(logFd); // the child holds its own copy
    }
    child.on("error", (e) => console.error(`API server: ${e.message}`));
    if (child.pid === undefined) throw new Error("could not start the API server");
    return new ApiServer(child, child.pid, port, `http://127.0.0.1:${port}`, options.dataDir, options.logFile);
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Polls /healthz until it answers 200; returns the time it took in ms. */
  async waitForHealth(): Promise<number> {
    const t0 = performance.now();
    const deadline = t0 + HEALTH_DEADLINE_MS;
    for (;;) {
      if (!this.running) {
        throw new Error(`API server exited during startup (code ${this.child.exitCode}, signal ${this.child.signalCode})`);
      }
      if ((await probe(`${this.base}/healthz`)) === 200) return performance.now() - t0;
      if (performance.now() > deadline) throw new Error(`API not healthy within ${HEALTH_DEADLINE_MS / 1000} s`);
      await sleep(200);
    }
  }

  /** Prints "starting API on <base> ... healthy after N s". */
  async waitForHealthVerbose(): Promise<number> {
    process.stdout.write(`starting API on ${this.base} ... `);
    const ms = await this.waitForHealth();
    console.log(`healthy after ${(ms / 1000).toFixed(1)} s`);
    return ms;
  }

  /**
   * The admin token the server wrote to <dataDir>/admin-token on its first start against an
   * empty database. `override` (e.g. BENCH_TOKEN), when non-empty, is returned instead.
   */
  async readAdminToken(override?: string): Promise<string> {
    if (override !== undefined && override.trim() !== "") return override.trim();
    const file = path.join(this.dataDir, "admin-token");
    const deadline = performance.now() + TOKEN_DEADLINE_MS;
    for (;;) {
      if (existsSync(file)) {
        const token = readFileSync(file, "utf8").trim();
        if (token !== "") return token;
      }
      if (performance.now() > deadline) {
        throw new Error(`no admin token at ${file} (a non-empty database writes none: set BENCH_TOKEN)`);
      }
      await sleep(100);
    }
  }

  /** SIGTERM, then SIGKILL if it has not exited within 20 s. */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.child.kill("SIGTERM");
    if (!(await waitForExit(this.child, STOP_DEADLINE_MS))) {
      console.error(`API server did not stop within ${STOP_DEADLINE_MS / 1000} s of SIGTERM; killing it`);
      this.child.kill("SIGKILL");
      await waitForExit(this.child, 5_000);
    }
  }

  /** Immediate SIGKILL (signal handlers). */
  kill(): void {
    if (this.running) this.child.kill("SIGKILL");
  }

  logTail(lines = 30): string {
    try {
      return readFileSync(this.logFile, "utf8").trimEnd().split("\n").slice(-lines).join("\n");
    } catch {
      return "(no server log)";
    }
  }
}
