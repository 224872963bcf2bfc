// Runs once before the suite: builds dist/ when it is missing or older than src/ (the generation
// benchmark spawns the compiled dist/generation-worker.js), and writes the PyTorch fixture (a tiny
// exported UNet, DDIM trajectories and schedule tables from libs/trainer's diffusion.py) once for
// every test file that needs it.
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TestProject } from "vitest/node" with { "resolution-mode": "import" };

export type TorchFixture = { status: "ready"; dir: string } | { status: "unavailable" | "failed"; reason: string };

declare module "vitest" {
  export interface ProvidedContext {
    torchFixture: TorchFixture;
  }
}

const ROOT = join(__dirname, "..");
const TRAINER = join(ROOT, "..", "trainer");
const PYTHON = process.env.DISTILLERY_PYTHON ?? "/usr/bin/python3";

function newestSource(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSource(path));
    else if (entry.name.endsWith(".ts") && !/\.test(-helper)?\.ts$/.test(entry.name)) newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

function ensureBuilt(): void {
  const worker = join(ROOT, "dist", "generation-worker.js");
  if (existsSync(worker) && statSync(worker).mtimeMs >= newestSource(join(ROOT, "src"))) return;
  const tsc = require.resolve("typescript/bin/tsc");
  const built = spawnSync(process.execPath, [tsc, "-p", "tsconfig.build.json"], { cwd: ROOT, encoding: "utf8" });
  if (built.status !== 0) throw new Error(`building libs/eval failed:\n${built.stdout}${built.stderr}`);
}

function torchFixture(): TorchFixture {
  if (spawnSync(PYTHON, ["-c", "import torch, onnx"]).status !== 0) {
    return { status: "unavailable", reason: `${PYTHON} cannot import torch and onnx (Debian packages python3-torch python3-onnx)` };
  }
  const dir = mkdtempSync(join(tmpdir(), "eval-torch-fixture-"));
  const made = spawnSync(PYTHON, [join(ROOT, "scripts", "sampler_fixture.py"), dir], {
    encoding: "utf8",
    env: { ...process.env, PYTHONPATH: TRAINER, OPENBLAS_NUM_THREADS: "1", PYTHONDONTWRITEBYTECODE: "1" },
    timeout: 120_000,
  });
  if (made.status !== 0) return { status: "failed", reason: `scripts/sampler_fixture.py failed: ${made.stderr || String(made.error)}` };
  return { status: "ready", dir };
}

export default function setup(project: TestProject): () => void {
  ensureBuilt();
  const fixture = torchFixture();
  project.provide("torchFixture", fixture);
  return () => {
    if (fixture.status === "ready") rmSync(fixture.dir, { recursive: true, force: true });
  };
}
