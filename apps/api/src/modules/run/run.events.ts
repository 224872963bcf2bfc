import type { MetricPoint } from "@distillery/domain";

/** A run's job changed state, progress or lease. */
export const RUN_UPDATED = "RUN_UPDATED";
/** New metric points were stored for a run. */
export const RUN_METRICS = "RUN_METRICS";

export interface RunUpdatedMessage {
  runId: string;
}

export interface RunMetricsMessage {
  runId: string;
  points: Array<Required<MetricPoint>>;
}
