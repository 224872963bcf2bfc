// Runs the reference Python (numpy/scipy) for tests. Debian's /usr/bin/python3 sees the apt
// packages; the pyenv python3 on PATH does not (see shared/STACK.md). Override: DISTILLERY_PYTHON.
import { spawnSync } from "node:child_process";
import { join } from "node:path";

import { it } from "vitest";

export const PYTHON = process.env.DISTILLERY_PYTHON ?? "/usr/bin/python3";

const hasReference = spawnSync(PYTHON, ["-c", "import numpy, scipy.linalg"]).status === 0;

/**
 * `it` for tests that compare with numpy/scipy. Without them on a user's machine the test is
 * skipped (Debian packages python3-numpy and python3-scipy); under CI (CI=true) it runs and fails.
 */
export function itWithReferencePython(name: string, test: () => void | Promise<void>, timeout?: number): void {
  (hasReference || process.env.CI === "true" ? it : it.skip)(name, test, timeout);
}

const REFERENCE_SCRIPTS = join(__dirname, "..", "scripts");

export function runPython(code: string, cwd: string, timeoutMs = 60_000): string {
  const res = spawnSync(PYTHON, ["-c", code], {
    cwd,
    encoding: "utf8",
    // One BLAS thread: the tests run on 2 cores alongside vitest workers. scripts/ holds the
    // reference implementations (pytorch_fid_reference.py).
    env: { ...process.env, OPENBLAS_NUM_THREADS: "1", OMP_NUM_THREADS: "1", PYTHONPATH: REFERENCE_SCRIPTS },
    timeout: timeoutMs,
  });
  if (res.status !== 0) {
    throw new Error(`${PYTHON} failed (status ${String(res.status)}): ${res.stderr || String(res.error)}`);
  }
  return res.stdout;
}
