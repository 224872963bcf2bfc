import { type RunProbe, runProbe } from "./run-probe";

/** Importing torch takes seconds on a cold disk; a broken install may hang. */
const TORCH_IMPORT_TIMEOUT_MS = 60_000;

export interface CapabilityOptions {
  allowCommandJobs: boolean;
  python: string;
}

/** Loading onnxruntime's native library is quick, but a broken one can crash the process that loads it. */
const ONNX_LOAD_TIMEOUT_MS = 30_000;

/**
 * What this runner offers the queue: `command` only when the operator allows arbitrary commands
 * (they run with the runner's rights), `torch` when the configured Python can import it, `onnx`
 * when onnxruntime-node loads here (quantize and evaluate run in the runner's own Node process,
 * so it is probed in a child first: a missing or broken native library fails there, not here).
 */
export async function detectCapabilities(options: CapabilityOptions, probe: RunProbe = runProbe): Promise<string[]> {
  const capabilities: string[] = [];
  if (options.allowCommandJobs) capabilities.push("command");
  const torch = await probe(options.python, ["-c", "import torch"], TORCH_IMPORT_TIMEOUT_MS);
  if (torch.exitCode === 0) capabilities.push("torch");
  const onnxRuntime = onnxRuntimePath();
  if (onnxRuntime !== undefined) {
    const onnx = await probe(process.execPath, ["-e", `require(${JSON.stringify(onnxRuntime)})`], ONNX_LOAD_TIMEOUT_MS);
    if (onnx.exitCode === 0) capabilities.push("onnx");
  }
  return capabilities;
}

function onnxRuntimePath(): string | undefined {
  try {
    return require.resolve("onnxruntime-node");
  } catch {
    return undefined;
  }
}
