/** Environment parameters, latency statistics and aligned tables for the benchmarks. */
import * as os from "node:os";

/** A positive integer from the environment, or `fallback` when unset/empty. */
export function positiveIntEnv(name: string, fallback: number, unit?: string): number {
  const raw = process.env[name];
  if (raw === undefined || raw.trim() === "") return fallback;
  const n = Number(raw.replace(/_/g, ""));
  if (!Number.isSafeInteger(n) || n <= 0) {
    throw new Error(`${name} must be a positive integer${unit ? ` (${unit})` : ""}, got "${raw}"`);
  }
  return n;
}

/** Nearest-rank percentile (p in 0..100) of unsorted samples; NaN when empty. */
export function percentile(samples: readonly number[], p: number): number {
  if (samples.length === 0) return Number.NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length)));
  return sorted[rank - 1]!;
}

export interface Summary {
  count: number;
  p50: number;
  p95: number;
  max: number;
  mean: number;
}

export function summarize(samples: readonly number[]): Summary {
  const count = samples.length;
  return {
    count,
    p50: percentile(samples, 50),
    p95: percentile(samples, 95),
    max: count === 0 ? Number.NaN : Math.max(...samples),
    mean: count === 0 ? Number.NaN : samples.reduce((a, b) => a + b, 0) / count,
  };
}

/** 1234567.8 -> "1,234,568". */
export const fmtInt = (n: number) => (Number.isFinite(n) ? Math.round(n).toLocaleString("en-US") : "n/a");
export const fmtMs = (ms: number, digits = 1) => (Number.isFinite(ms) ? `${ms.toFixed(digits)} ms` : "n/a");
export const fmtRatio = (r: number) => (Number.isFinite(r) ? r.toFixed(2) : "n/a");

export type Align = "left" | "right";

/**
 * Prints an aligned table: a header line, a line of dashes, then the rows. Each column is as wide
 * as its widest cell (header included); trailing blanks are trimmed.
 */
export function printTable(headers: readonly string[], rows: ReadonlyArray<readonly string[]>, align: readonly Align[] = []): void {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) => ((align[i] ?? (i === 0 ? "left" : "right")) === "left" ? c.padEnd(widths[i]!) : c.padStart(widths[i]!)))
      .join("  ")
      .trimEnd();
  console.log(line(headers));
  console.log(line(widths.map((w) => "-".repeat(w))));
  for (const row of rows) console.log(line(headers.map((_, i) => row[i] ?? "")));
}

/** Prints "name=value" parameter lines under a title, plus the command that reproduces the run. */
export function printParameters(script: string, params: ReadonlyArray<readonly [string, string | number]>): void {
  const env = params.map(([k, v]) => `${k}=${typeof v === "number" ? v : shellQuote(v)}`).join(" ");
  console.log(`command: ${env} node tests/dist/bench/${script}.js`);
  console.log(`machine: ${os.cpus().length} CPUs, load average ${os.loadavg().map((l) => l.toFixed(2)).join(" ")} (other work skews the figures)`);
}

function shellQuote(s: string): string {
  return /^[A-Za-z0-9_./:@%+=,-]*$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}
