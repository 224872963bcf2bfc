import type { MetricPoint } from "@distillery/domain";

/** A run's job changed state, progress or lease. */
export const RUN_UPDATED = "RUN_UPDATED";
/** New metric points were stored for a run. */
export const RUN_METRICS = "RUN_METRICS";
/** A runner appended to a run's log (the text stays in the database: followers read it there). */
export const RUN_LOGS = "RUN_LOGS";

export interface RunUpdatedMessage {
  runId: string;
}

export interface RunMetricsMessage {
  runId: string;
  points: Array<Required<MetricPoint>>;
}

export interface RunLogsMessage {
  runId: string;
  /** The log's length in bytes after the append. */
  totalBytes: number;
}
