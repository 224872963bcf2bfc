import { type ChildProcess, spawn } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { freePort } from "./free-port";
import { createTestDatabase, type TestDatabase } from "./test-database";
import { waitFor } from "./wait-for";

const API_MAIN = resolve(__dirname, "..", "..", "dist", "main.js");

export interface TestServer {
  url: string;
  adminToken: string;
  dataDir: string;
  /** The server's own PostgreSQL database, or undefined on embedded PGlite. */
  databaseUrl: string | undefined;
  /** The API process now running; replaced by `restart`. */
  process: ChildProcess;
  /** Everything the current process printed (JSON lines), for assertions and failure messages. */
  output(): string;
  /** SIGKILL: the process gets no chance to clean up, as in a crash or an OOM kill. */
  kill(): Promise<void>;
  /** Starts a new process on the same data directory and database. */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

interface RunningProcess {
  child: ChildProcess;
  output(): string;
}

/**
 * The real API as its own process (the built dist/main.js), on a fresh data directory and a
 * fresh database, on a free port.
 */
export async function startTestServer(env: Record<string, string> = {}): Promise<TestServer> {
  const dataDir = await mkdtemp(join(tmpdir(), "distillery-test-"));
  const database: TestDatabase = await createTestDatabase();
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const launch = () => launchApi(url, { PORT: String(port), DISTILLERY_DATA_DIR: dataDir, DATABASE_URL: database.url ?? "", ...env });
  let current: RunningProcess;
  try {
    current = await launch();
  } catch (error) {
    await database.drop();
    throw error;
  }
  const adminToken = (await readFile(join(dataDir, "admin-token"), "utf8")).trim();
  const server: TestServer = {
    url,
    adminToken,
    dataDir,
    databaseUrl: database.url,
    process: current.child,
    output: () => current.output(),
    async kill() {
      await stopProcess(current.child, "SIGKILL");
    },
    async restart() {
      await stopProcess(current.child, "SIGTERM");
      current = await launch();
      server.process = current.child;
    },
    async stop() {
      await stopProcess(current.child, "SIGTERM");
      await database.drop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
  return server;
}

export async function launchApi(url: string, env: Record<string, string>): Promise<RunningProcess> {
  const child = spawn(process.execPath, [API_MAIN], {
    env: { ...process.env, HOST: "127.0.0.1", LOG_LEVEL: "info", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout?.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on("data", (chunk: Buffer) => (output += chunk.toString()));
  try {
    await waitFor(
      `the API on ${url}`,
      async () => {
        if (child.exitCode !== null) throw new Error(`API exited with ${child.exitCode}: ${output}`);
        const response = await fetch(`${url}/healthz`);
        return response.ok ? true : undefined;
      },
      90_000,
    );
  } catch (error) {
    child.kill("SIGKILL");
    throw error;
  }
  return { child, output: () => output };
}

export async function stopProcess(child: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((done) => child.once("exit", done));
  child.kill(signal);
  await exited;
}
