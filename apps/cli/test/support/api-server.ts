import { type ChildProcess, spawn } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

export function freePort(): Promise<number> {
  return new Promise((done) => {
    const server = createServer().listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => done(typeof address === "object" && address ? address.port : 0));
    });
  });
}

export interface GraphQLAnswer {
  data?: any;
  errors?: Array<{ message: string; extensions?: { code?: string; reason?: string } }>;
}

/** The real API in a child process, on PGlite in a temporary data dir, with its admin token. */
export interface ApiServer {
  url: string;
  dataDir: string;
  admin: string;
  /** Everything the API printed, for assertion messages. */
  output(): string;
  graphql(query: string, variables?: Record<string, unknown>, token?: string): Promise<GraphQLAnswer>;
  stop(): Promise<void>;
}

export async function startApiServer(env: NodeJS.ProcessEnv = {}): Promise<ApiServer> {
  const dataDir = await mkdtemp(join(tmpdir(), "distillery-cli-test-"));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  let output = "";
  const api: ChildProcess = spawn(process.execPath, [require.resolve("@distillery/api")], {
    env: { ...process.env, PORT: String(port), DISTILLERY_DATA_DIR: dataDir, DATABASE_URL: "", LOG_LEVEL: "warn", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  api.stdout?.on("data", (chunk: Buffer) => (output += chunk.toString()));
  api.stderr?.on("data", (chunk: Buffer) => (output += chunk.toString()));
  // Healthy within a generous deadline, or the reason it is not.
  const deadline = Date.now() + 90_000;
  for (;;) {
    if ((await fetch(`${url}/healthz`).catch(() => null))?.status === 200) break;
    if (api.exitCode !== null || Date.now() > deadline) throw new Error(`the API did not become healthy:\n${output}`);
    await new Promise((done) => setTimeout(done, 200));
  }
  const admin = (await readFile(join(dataDir, "admin-token"), "utf8")).trim();
  return {
    url,
    dataDir,
    admin,
    output: () => output,
    async graphql(query, variables = {}, token = admin) {
      const response = await fetch(`${url}/graphql`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
        body: JSON.stringify({ query, variables }),
      });
      return (await response.json()) as GraphQLAnswer;
    },
    async stop() {
      if (api.exitCode === null && api.signalCode === null) {
        const exited = new Promise((done) => api.once("exit", done));
        api.kill("SIGTERM");
        await exited;
      }
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
