#!/usr/bin/env node
// Runs the trainer's pytest suite with Debian's Python (DISTILLERY_PYTHON). Without PyTorch on a
// user's machine the suite is skipped with a one-line reason; under CI (CI=true) that is a failure.
const { spawnSync } = require("node:child_process");
const { join } = require("node:path");

const python = process.env.DISTILLERY_PYTHON || "/usr/bin/python3";
const root = join(__dirname, "..");
const probe = spawnSync(python, ["-c", "import torch, onnx, numpy, pytest"], { encoding: "utf8" });
if (probe.status !== 0) {
  const reason = `trainer tests skipped: ${python} cannot import torch, onnx, numpy and pytest (Debian packages python3-torch python3-onnx python3-numpy python3-pytest)`;
  if (process.env.CI === "true") {
    console.error(`${reason}; CI=true makes this a failure`);
    process.exit(1);
  }
  console.log(reason);
  process.exit(0);
}
const result = spawnSync(python, ["-m", "pytest", "-q", "-p", "no:cacheprovider", "tests"], {
  cwd: root,
  stdio: "inherit",
  env: { ...process.env, PYTHONPATH: root, OPENBLAS_NUM_THREADS: "1", PYTHONDONTWRITEBYTECODE: "1" },
});
process.exit(result.status ?? 1);
