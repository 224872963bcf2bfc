import { type RunProbe, runProbe } from "./run-probe";

/** Importing torch takes seconds on a cold disk; a broken install may hang. */
const TORCH_IMPORT_TIMEOUT_MS = 60_000;

export interface CapabilityOptions {
  allowCommandJobs: boolean;
  python: string;
}

/**
 * What this runner offers the queue: `command` only when the operator allows arbitrary commands
 * (they run with the runner's rights), `torch` when the configured Python can import it.
 */
export async function detectCapabilities(options: CapabilityOptions, probe: RunProbe = runProbe): Promise<string[]> {
  const capabilities: string[] = [];
  if (options.allowCommandJobs) capabilities.push("command");
  const torch = await probe(options.python, ["-c", "import torch"], TORCH_IMPORT_TIMEOUT_MS);
  if (torch.exitCode === 0) capabilities.push("torch");
  return capabilities;
}
