import type { ChildProcess } from "node:child_process";

/**
 * Polls GET /healthz until it answers 200. False when the API process exits first or
 * `timeoutMs` passes (a first start on an empty PGlite takes a few seconds).
 */
export async function waitForHealth(apiUrl: string, api: ChildProcess, timeoutMs = 120_000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (api.exitCode !== null || api.signalCode !== null) return false;
    const status = await fetch(`${apiUrl}/healthz`, { signal: AbortSignal.timeout(2_000) }).then(
      (response) => response.status,
      () => 0,
    );
    if (status === 200) return true;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return false;
}
