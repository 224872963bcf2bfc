/**
 * The JSON-lines protocol between a step's process and the runner: one JSON object per stdout
 * line. `command` jobs speak it today; the Python trainer speaks the same.
 *
 *   {"metric": "loss", "step": 10, "value": 0.31}            a metric point (optional "time": ISO 8601 or epoch ms)
 *   {"progress": 0.42}                                        fraction done, 0..1, shown as a progress bar
 *   {"artifact": "teacher", "path": "teacher.pt", "kind": "torch", "metadata": {...}}
 *                                                             a file to upload and register once the step succeeds
 *
 * Any other line — plain text, or JSON that is neither — is a log line.
 */
export interface MetricPoint {
  key: string;
  step: number;
  value: number;
  /** ISO 8601; absent means "when the runner read the line". */
  time?: string;
}

/** A file a step produced, to be uploaded and registered as a model version when it succeeds. */
export interface ArtifactAnnouncement {
  /** Unique within the step, e.g. "teacher" or "teacher-onnx". */
  name: string;
  path: string;
  /** torch | onnx | npz | … */
  kind: string;
  metadata: Record<string, unknown>;
}

export type ProtocolLine =
  | { type: "metric"; point: MetricPoint }
  | { type: "progress"; progress: number }
  | { type: "artifact"; artifact: ArtifactAnnouncement }
  | { type: "log"; text: string };

/** Metric keys: letters, digits and `_ . / -`, like MLflow and W&B accept. */
export const METRIC_KEY = /^[A-Za-z0-9_./-]{1,200}$/;

export function parseProtocolLine(line: string): ProtocolLine {
  const trimmed = line.trim();
  if (!trimmed.startsWith("{")) return { type: "log", text: line };
  let message: unknown;
  try {
    message = JSON.parse(trimmed);
  } catch {
    return { type: "log", text: line };
  }
  if (typeof message !== "object" || message === null || Array.isArray(message)) return { type: "log", text: line };
  const record = message as Record<string, unknown>;
  if (typeof record.metric === "string") {
    const { metric, step, value } = record;
    if (METRIC_KEY.test(metric) && Number.isSafeInteger(step) && (step as number) >= 0 && typeof value === "number" && Number.isFinite(value)) {
      const time = timeOf(record.time);
      return { type: "metric", point: { key: metric, step: step as number, value, ...(time ? { time } : {}) } };
    }
    return { type: "log", text: line };
  }
  if (typeof record.artifact === "string" && typeof record.path === "string" && typeof record.kind === "string") {
    const metadata = typeof record.metadata === "object" && record.metadata !== null && !Array.isArray(record.metadata) ? record.metadata : {};
    return { type: "artifact", artifact: { name: record.artifact, path: record.path, kind: record.kind, metadata: metadata as Record<string, unknown> } };
  }
  if (typeof record.progress === "number" && record.progress >= 0 && record.progress <= 1) {
    return { type: "progress", progress: record.progress };
  }
  return { type: "log", text: line };
}

function timeOf(value: unknown): string | undefined {
  if (typeof value === "number" && Number.isFinite(value)) return new Date(value).toISOString();
  if (typeof value === "string" && !Number.isNaN(Date.parse(value))) return new Date(value).toISOString();
  return undefined;
}

/** What a step process prints for one metric point (used by trainers and tests alike). */
export function formatMetricLine(key: string, step: number, value: number): string {
  return JSON.stringify({ metric: key, step, value });
}
