import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm, stat } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";

const BIN = resolve(__dirname, "..", "dist", "bin.js");
const WEB_IS_BUILT = existsSync(resolve(__dirname, "..", "..", "web", ".next", "BUILD_ID"));

function freePort(): Promise<number> {
  return new Promise((done) => {
    const server = createServer().listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => done(typeof address === "object" && address ? address.port : 0));
    });
  });
}

function run(args: string[], env: NodeJS.ProcessEnv = process.env) {
  return spawn(process.execPath, [BIN, ...args], { env, stdio: ["ignore", "pipe", "pipe"] });
}

describe("distillery up", () => {
  it("starts the API on the embedded database, a local runner and the web UI, writes the tokens, and stops them all on SIGTERM", async () => {
    const dataDir = await mkdtemp(join(tmpdir(), "distillery-up-"));
    const port = await freePort();
    const webPort = await freePort();
    const env = { ...process.env, DATABASE_URL: "", LOG_LEVEL: "info" };
    const child = run(["up", "--port", String(port), "--data-dir", dataDir, "--web-port", String(webPort)], env);
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
    try {
      await expect
        .poll(async () => (await fetch(`http://127.0.0.1:${port}/healthz`).catch(() => null))?.status, { timeout: 90_000, interval: 200 })
        .toBe(200);
      const tokenPath = join(dataDir, "admin-token");
      expect(output).toContain(tokenPath);
      expect((await stat(tokenPath)).mode & 0o777).toBe(0o600);
      const token = (await readFile(tokenPath, "utf8")).trim();
      expect(token).toMatch(/^dst_/);
      expect((await stat(join(dataDir, "pg"))).isDirectory()).toBe(true);
      const me = await fetch(`http://127.0.0.1:${port}/graphql`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
        body: JSON.stringify({ query: "{ me { name scopes } }" }),
      });
      expect(await me.json()).toEqual({ data: { me: { name: "admin", scopes: ["ADMIN"] } } });

      // The local runner: its own RUNNER token, kept like the admin token, and registered as "local".
      const runnerTokenPath = join(dataDir, "runner-token");
      await expect.poll(() => stat(runnerTokenPath).then((file) => file.mode & 0o777, () => null), { timeout: 30_000 }).toBe(0o600);
      expect((await readFile(runnerTokenPath, "utf8")).trim()).toMatch(/^dst_/);
      const runners = async () => {
        const response = await fetch(`http://127.0.0.1:${port}/graphql`, {
          method: "POST",
          headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
          body: JSON.stringify({ query: "{ runners { name online } }" }),
        });
        return ((await response.json()) as { data?: { runners: Array<{ name: string; online: boolean }> } }).data?.runners;
      };
      await expect.poll(runners, { timeout: 60_000, interval: 250 }).toEqual([{ name: "local", online: true }]);

      // The web UI beside them, once apps/web is built (npm test builds every workspace first).
      if (WEB_IS_BUILT) {
        await expect
          .poll(async () => (await fetch(`http://127.0.0.1:${webPort}/sign-in`).catch(() => null))?.status, { timeout: 90_000, interval: 250 })
          .toBe(200);
      } else {
        await expect.poll(() => output, { timeout: 30_000 }).toContain("not starting the web UI: apps/web is not built");
      }
    } finally {
      const exited = new Promise<number | null>((done) => child.once("exit", (code) => done(code)));
      child.kill("SIGTERM");
      expect(await exited, output).toBe(0);
      // All stopped: the runner released its work directory on the way out, the UI's port is closed.
      await expect(stat(join(dataDir, "runner", "runner.pid"))).rejects.toThrow("ENOENT");
      await expect.poll(async () => (await fetch(`http://127.0.0.1:${webPort}/sign-in`).catch(() => null))?.status, { timeout: 30_000 }).toBeUndefined();
      await rm(dataDir, { recursive: true, force: true });
    }
  });

  it("explains an unknown command with exit code 2", async () => {
    const child = run(["fly"]);
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    const code = await new Promise<number | null>((done) => child.once("exit", done));
    expect(code).toBe(2);
    expect(stderr).toContain('unknown command "fly"');
  });
});
