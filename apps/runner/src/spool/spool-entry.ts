import type { JobFailure, MetricPointInput } from "../api/types";

/** What the outbox delivers, in the order it was written: each maps to one job-scoped mutation. */
export type SpoolPayload =
  | { type: "metrics"; batchId: string; points: MetricPointInput[] }
  /** `offset`: UTF-8 byte offset of `text` in the run's log. */
  | { type: "logs"; offset: number; text: string }
  | { type: "complete"; result: Record<string, unknown> }
  | { type: "fail"; failure: JobFailure };

/** One file, `<spool>/<jobId>/<seq>.json`: self-contained, so a later process can replay it. */
export interface SpoolEntry {
  /** Global across jobs and runner restarts: delivery follows it. */
  seq: number;
  jobId: string;
  leaseId: string;
  payload: SpoolPayload;
}

export interface SpoolRef {
  seq: number;
  jobId: string;
}

/** Entries of one lease share a fate: a lost lease drops them all. */
export function leaseKeyOf(entry: { jobId: string; leaseId: string }): string {
  return `${entry.jobId}/${entry.leaseId}`;
}

export function isTerminal(payload: SpoolPayload): boolean {
  return payload.type === "complete" || payload.type === "fail";
}
