import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";

/** What `python -m distillery_trainer export-dataset` prints: one JSON line. */
export interface ExportedDataset {
  path: string;
  samples: number;
  /** (C, H, W) */
  imageShape: number[];
  classNames: string[];
  /** The file's sha256, hex. */
  sha256: string;
}

export interface ExportOptions {
  python: string;
  source: "fashion-mnist" | "synthetic";
  split?: string | undefined;
  resolution?: number | undefined;
  limit?: number | undefined;
  /** fashion-mnist: the directory with the IDX files (default Debian's /usr/share/datasets/fashion-mnist). */
  path?: string | undefined;
  out: string;
  signal?: AbortSignal;
}

/** The last part of the trainer's stderr kept for an error message. */
const MAX_STDERR_CHARS = 16 * 1024;

/**
 * The directory of @distillery/trainer's package.json (libs/trainer), which holds the
 * distillery_trainer Python package; the monorepo's layout when the workspace is not linked.
 */
export function findTrainerRoot(): string {
  try {
    return dirname(require.resolve("@distillery/trainer/package.json"));
  } catch {
    // dist/datasets or src/datasets, four levels below the repository root.
    const inRepo = resolve(__dirname, "..", "..", "..", "..", "libs", "trainer");
    if (existsSync(join(inRepo, "distillery_trainer"))) return inRepo;
    throw new Error("cannot find the trainer (the @distillery/trainer package)");
  }
}

/** Runs the trainer's export-dataset; resolves to its JSON line, or throws with its last stderr line. */
export async function exportDataset(options: ExportOptions): Promise<ExportedDataset> {
  const root = findTrainerRoot();
  const args = ["-m", "distillery_trainer", "export-dataset", "--source", options.source, "--out", options.out];
  if (options.split !== undefined) args.push("--split", options.split);
  if (options.resolution !== undefined) args.push("--resolution", String(options.resolution));
  if (options.limit !== undefined) args.push("--limit", String(options.limit));
  if (options.path !== undefined) args.push("--path", options.path);
  const env = {
    ...process.env,
    PYTHONPATH: process.env.PYTHONPATH ? `${root}:${process.env.PYTHONPATH}` : root,
    OPENBLAS_NUM_THREADS: "1",
    PYTHONDONTWRITEBYTECODE: "1",
  };
  const child = spawn(options.python, args, { env, stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr = (stderr + chunk).slice(-MAX_STDERR_CHARS)));
  const abort = () => child.kill("SIGTERM");
  options.signal?.addEventListener("abort", abort, { once: true });
  try {
    const { code, signal } = await new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done, fail) => {
      child.once("error", (error: NodeJS.ErrnoException) =>
        fail(new Error(error.code === "ENOENT" ? `cannot run ${options.python}: not found (set DISTILLERY_PYTHON to a Python with torch and numpy)` : `cannot run ${options.python}: ${error.message}`)),
      );
      child.once("close", (exitCode, exitSignal) => done({ code: exitCode, signal: exitSignal }));
    });
    if (options.signal?.aborted) throw new Error("interrupted");
    if (code !== 0) {
      const last = stderr.trim().split("\n").at(-1)?.trim();
      throw new Error(`the dataset export failed (${signal ? `killed by ${signal}` : `exit status ${code}`})${last ? `: ${last}` : ""}`);
    }
    return parseLine(stdout);
  } finally {
    options.signal?.removeEventListener("abort", abort);
  }
}

function parseLine(stdout: string): ExportedDataset {
  const line = stdout.trim().split("\n").at(-1) ?? "";
  let value: Partial<ExportedDataset>;
  try {
    value = JSON.parse(line) as Partial<ExportedDataset>;
  } catch {
    throw new Error(`the dataset export printed no JSON line (got ${JSON.stringify(line.slice(0, 200))})`);
  }
  const ok =
    typeof value.path === "string" &&
    Number.isInteger(value.samples) &&
    Array.isArray(value.imageShape) &&
    value.imageShape.every((side) => Number.isInteger(side)) &&
    Array.isArray(value.classNames) &&
    value.classNames.every((name) => typeof name === "string") &&
    typeof value.sha256 === "string" &&
    /^[0-9a-f]{64}$/.test(value.sha256);
  if (!ok) throw new Error(`the dataset export printed an unexpected line: ${line.slice(0, 200)}`);
  return value as ExportedDataset;
}
