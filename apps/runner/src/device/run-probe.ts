import { execFile } from "node:child_process";

export interface ProbeResult {
  /** null when the program could not start (ENOENT), was killed by the timeout, or died by a signal. */
  exitCode: number | null;
  stdout: string;
}

/** Runs a short program to learn about the machine; never throws, never hangs past `timeoutMs`. */
export type RunProbe = (file: string, args: string[], timeoutMs: number) => Promise<ProbeResult>;

export const runProbe: RunProbe = (file, args, timeoutMs) =>
  new Promise((resolve) => {
    execFile(file, args, { timeout: timeoutMs, killSignal: "SIGKILL", maxBuffer: 1024 * 1024 }, (error, stdout) => {
      const exitCode = error ? (typeof error.code === "number" ? error.code : null) : 0;
      resolve({ exitCode, stdout: String(stdout) });
    });
  });
