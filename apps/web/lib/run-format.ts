/** How the run pages print times, durations and names; the same on the server and in the browser. */
// The subpath, not the package: this module reaches the browser, the package index brings zod and node:crypto.
import { formatDuration } from "@distillery/domain/display-format";


/** From start to finish, or to `now` while it runs; undefined before it started. */
export function runDuration(run: { startedAt: string | null; finishedAt: string | null }, now = Date.now()): string | undefined {
  if (!run.startedAt) return undefined;
  return formatDuration((run.finishedAt ? Date.parse(run.finishedAt) : now) - Date.parse(run.startedAt));
}

/** 2025-03-01 14:05:09 UTC: the same text on the server and in any browser. */
export function formatTime(iso: string): string {
  const utc = new Date(iso).toISOString();
  return `${utc.slice(0, 10)} ${utc.slice(11, 19)} UTC`;
}

/** How a run is named on every page: its experiment and number. */
export function runLabel(run: { number: number; experiment: { name: string } }): string {
  return `${run.experiment.name} #${run.number}`;
}

export function formatPercent(fraction: number): string {
  return `${Math.round(fraction * 100)}%`;
}

/** A metric value for tables: 4 significant digits, exponents when huge or tiny. */
export function formatValue(value: number): string {
  if (value === 0) return "0";
  const magnitude = Math.abs(value);
  if (magnitude >= 1e6 || magnitude < 1e-4) return value.toExponential(3);
  return String(Number(value.toPrecision(4)));
}
