/**
 * The Server-Sent Events of /runs/<id>/events, shared by the route that sends them and the page
 * that reads them. Every event's id is the log offset after it, so a browser that reconnects
 * (Last-Event-ID) resumes the log where it left off.
 *
 *   run       LiveRun: the run each time its job changes state, progress or attempt
 *   metrics   SeriesPoints[]: new points, grouped by key (duplicates are harmless)
 *   logs      LiveLogSlice: the next bytes of the log
 *   problem   LiveProblem: the stream to the API failed; fatal ones are not worth reconnecting for
 *   end       the run has finished and every log byte was sent: the browser closes the stream
 */

export interface MetricPointValue {
  step: number;
  value: number;
}

export interface SeriesPoints {
  key: string;
  points: MetricPointValue[];
}

export interface LiveRun {
  id: string;
  status: string;
  progress: number | null;
  attempt: number;
  startedAt: string | null;
  finishedAt: string | null;
  job: { state: string; maxAttempts: number; cancelRequested: boolean };
}

export interface LiveLogSlice {
  offset: number;
  text: string;
  nextOffset: number;
}

export interface LiveProblem {
  message: string;
  fatal: boolean;
}

export type RunEventName = "run" | "metrics" | "logs" | "problem" | "end";

/** SUCCEEDED, FAILED and CANCELLED runs change no more. */
export function isFinished(status: string): boolean {
  return status === "SUCCEEDED" || status === "FAILED" || status === "CANCELLED";
}

export function runEventsPath(runId: string, logOffset: number): string {
  return `/runs/${encodeURIComponent(runId)}/events?logOffset=${logOffset}`;
}
