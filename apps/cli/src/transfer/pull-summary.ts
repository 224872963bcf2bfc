import { relative } from "node:path";
import { formatBytes } from "@distillery/domain";
import type { PulledBlob } from "./pull-blob";

export interface PullOutcome {
  /** student@production (int8) */
  request: string;
  /** student@v5 */
  resolved: string;
  sizeBytes: number;
  pulled: PulledBlob;
  seconds: number;
  output: string;
  /** What happened to the lockfile, if one was named. */
  lockNote?: string;
}

/**
 * The one line `pull` writes to stderr, also in CI: what the ref resolved to, whether bytes were
 * fetched (and from where on, when resumed), how fast, and that the digest was checked.
 */
export function pullSummary(outcome: PullOutcome): string {
  const { pulled, seconds } = outcome;
  const nearby = relative(process.cwd(), outcome.output);
  const shown = nearby.startsWith("..") ? outcome.output : nearby;
  const what = !pulled.downloaded
    ? `up to date, ${formatBytes(outcome.sizeBytes)} already in ${shown} (sha256 verified)`
    : `${pulled.resumedFrom > 0 ? `resumed at ${pulled.resumedFrom} bytes, fetched ${formatBytes(pulled.fetched)}` : formatBytes(pulled.fetched)} in ${seconds.toFixed(1)} s` +
      ` (${formatBytes(pulled.fetched / Math.max(seconds, 0.001))}/s), sha256 verified: ${shown}`;
  const subject = outcome.request === outcome.resolved ? outcome.resolved : `${outcome.request} -> ${outcome.resolved}`;
  return `${subject}: ${what}${outcome.lockNote ? `; ${outcome.lockNote}` : ""}`;
}
