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
  process: ChildProcess;
  /** Everything the server printed (JSON lines), for assertions and for failure messages. */
  output(): string;
  stop(): Promise<void>;
}

/**
 * The real API as its own process (the built dist/main.js), on a fresh data directory and a
 * fresh database, on a free port.
 */
export async function startTestServer(env: Record<string, string> = {}): Promise<TestServer> {
  const dataDir = await mkdtemp(join(tmpdir(), "distillery-test-"));
  const database: TestDatabase = await createTestDatabase();
  const port = await freePort();
  const child = spawn(process.execPath, [API_MAIN], {
    env: {
      ...process.env,
      PORT: String(port),
      HOST: "127.0.0.1",
      DISTILLERY_DATA_DIR: dataDir,
      DATABASE_URL: database.url ?? "",
      LOG_LEVEL: "info",
      ...env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout?.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitFor(`the API on ${url}`, async () => {
      if (child.exitCode !== null) throw new Error(`API exited with ${child.exitCode}: ${output}`);
      const response = await fetch(`${url}/healthz`);
      return response.ok ? true : undefined;
    }, 90_000);
  } catch (error) {
    child.kill("SIGKILL");
    await database.drop();
    throw error;
  }
  const adminToken = (await readFile(join(dataDir, "admin-token"), "utf8")).trim();
  return {
    url,
    adminToken,
    dataDir,
    process: child,
    output: () => output,
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((done) => child.once("exit", done));
        child.kill("SIGTERM");
        await exited;
      }
      await database.drop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
