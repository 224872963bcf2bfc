import { type ChildProcess, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { freePort } from "./free-port";
import { REPO_ROOT } from "./repo-root";

const WEB = resolve(REPO_ROOT, "apps", "web");

/** The built web app under `next start`, in its own process group so the whole tree stops. */
export interface WebProcess {
  url: string;
  output(): string;
  stop(): Promise<void>;
}

export async function startWeb(apiUrl: string): Promise<WebProcess> {
  if (!existsSync(resolve(WEB, ".next", "BUILD_ID"))) throw new Error("apps/web is not built: run `npx turbo run build` first");
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  let output = "";
  const child: ChildProcess = spawn(resolve(REPO_ROOT, "node_modules", ".bin", "next"), ["start", WEB, "-p", String(port), "-H", "127.0.0.1"], {
    env: { ...process.env, DISTILLERY_API: apiUrl, NEXT_TELEMETRY_DISABLED: "1", NODE_ENV: "production" },
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  child.stdout?.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<void>((done) => child.once("exit", () => done()));

  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null && child.pid) {
      try {
        process.kill(-child.pid, "SIGTERM");
      } catch {
        // Already gone.
      }
      await exited;
    }
  };

  const deadline = Date.now() + 90_000;
  for (;;) {
    const status = (await fetch(`${url}/sign-in`, { redirect: "manual" }).catch(() => null))?.status;
    if (status === 200) break;
    if (child.exitCode !== null || Date.now() > deadline) {
      await stop();
      throw new Error(`next start did not become ready:\n${output}`);
    }
    await new Promise((done) => setTimeout(done, 200));
  }
  return { url, output: () => output, stop };
}
