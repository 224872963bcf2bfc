// onnx.checker from Debian's python3-onnx, for tests. The pyenv python3 on PATH cannot see the
// apt packages (see shared/STACK.md); override with DISTILLERY_PYTHON.
import { spawnSync } from "node:child_process";
import { it } from "vitest";

export const PYTHON = process.env.DISTILLERY_PYTHON ?? "/usr/bin/python3";
const hasOnnx = spawnSync(PYTHON, ["-c", "import onnx"]).status === 0;
const hasTorch = spawnSync(PYTHON, ["-c", "import torch, onnx"]).status === 0;
const required = process.env.CI === "true";

/** Skipped without python3-onnx on a developer's machine; under CI=true it runs (and fails). */
export function itWithPythonOnnx(name: string, test: () => Promise<void> | void, timeout?: number): void {
  (hasOnnx || required ? it : it.skip)(`${name}${hasOnnx || required ? "" : " (skipped: needs Debian's python3-onnx)"}`, test, timeout);
}

export const canTrain = hasTorch || required;
export const trainSkipReason = "needs Debian's python3-torch and python3-onnx";

/**
 * onnx.checker.check_model(path, full_check=True) on each file, in one Python process.
 * Returns "" for a file that passes, else the checker's message.
 */
export function checkModels(paths: string[]): string[] {
  const code = [
    "import json, sys, onnx",
    "out = []",
    "for path in sys.argv[1:]:",
    "    try:",
    "        onnx.checker.check_model(path, full_check=True)",
    "        out.append('')",
    "    except Exception as error:",
    "        out.append(str(error).strip() or type(error).__name__)",
    "print(json.dumps(out))",
  ].join("\n");
  const result = spawnSync(PYTHON, ["-c", code, ...paths], { encoding: "utf8", env: { ...process.env, OPENBLAS_NUM_THREADS: "1" }, timeout: 60_000 });
  if (result.status !== 0) throw new Error(`${PYTHON} failed (status ${String(result.status)}): ${result.stderr || String(result.error)}`);
  return JSON.parse(result.stdout) as string[];
}
