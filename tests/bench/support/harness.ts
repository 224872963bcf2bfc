/**
 * The frame every benchmark runs in: a temporary directory, cleanups that run at the end (also
 * on error and on SIGINT/SIGTERM), and a failure report with the API server's log tail.
 */
import { mkdtempSync, rmSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { ApiServer } from "./start-api";

export interface BenchContext {
  /** A fresh temporary directory, removed at the end. */
  tmp: string;
  /**
   * Runs `fn` at the end, last registered first. `signalled` is true when the benchmark is being
   * interrupted: be quick (kill rather than stop gracefully).
   */
  onCleanup(fn: (signalled: boolean) => Promise<void> | void): void;
  /** The server whose log tail is printed if the benchmark fails; also stopped at the end. */
  track(server: ApiServer): ApiServer;
}

const SIGNAL_CLEANUP_DEADLINE_MS = 15_000;

export async function runBench(name: string, body: (ctx: BenchContext) => Promise<void>): Promise<void> {
  const tmp = mkdtempSync(path.join(os.tmpdir(), "distillery-bench-"));
  const cleanups: Array<(signalled: boolean) => Promise<void> | void> = [() => rmSync(tmp, { recursive: true, force: true })];
  let server: ApiServer | undefined;

  const runCleanups = async (signalled: boolean) => {
    while (cleanups.length > 0) {
      const fn = cleanups.pop()!;
      try {
        await fn(signalled);
      } catch (e) {
        console.error(`cleanup failed: ${e instanceof Error ? e.message : String(e)}`);
      }
    }
  };

  let interrupted = false;
  const onSignal = (sig: NodeJS.Signals) => {
    if (interrupted) return;
    interrupted = true;
    console.error(`\n${sig}: stopping`);
    server?.kill();
    const timer = setTimeout(() => process.exit(130), SIGNAL_CLEANUP_DEADLINE_MS);
    void runCleanups(true).finally(() => {
      clearTimeout(timer);
      process.exit(130);
    });
  };
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);

  const ctx: BenchContext = {
    tmp,
    onCleanup: (fn) => void cleanups.push(fn),
    track: (s) => {
      server = s;
      cleanups.push(async (signalled) => (signalled ? s.kill() : s.stop()));
      return s;
    },
  };

  let failed = false;
  try {
    await body(ctx);
  } catch (e) {
    failed = true;
    if (interrupted) return; // the signal handler cleans up and exits
    console.error(`\n${name} failed: ${e instanceof Error ? e.message : String(e)}`);
    if (server !== undefined) console.error(`--- last lines of the API server log ---\n${server.logTail()}`);
  } finally {
    if (!interrupted) await runCleanups(false);
    process.removeListener("SIGINT", onSignal);
    process.removeListener("SIGTERM", onSignal);
  }
  if (failed) process.exitCode = 1;
}
