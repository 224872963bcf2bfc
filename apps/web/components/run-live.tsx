"use client";

import { useRouter } from "next/navigation";
import { type ReactNode, useEffect, useLayoutEffect, useRef, useState } from "react";
import { groupKeys, mergePoints, type Point } from "../lib/chart-geometry";
import { isFinished, type LiveLogSlice, type LiveProblem, type LiveRun, runEventsPath, type SeriesPoints } from "../lib/run-events";
import { MetricCharts } from "./metric-charts";
import { RunProgress, RunStatusBadge } from "./run-status";

/** The log panel keeps at most this many characters; older text is dropped from the view. */
const MAX_LOG_CHARS = 2_000_000;

export interface InitialLog {
  text: string;
  /** The byte offset after `text`: where following starts. */
  nextOffset: number;
  /** Bytes before `text` that are not shown (a long log starts at its tail). */
  skippedBytes: number;
}

type Connection = { state: "off" | "connecting" | "live" | "reconnecting" | "finished" } | { state: "stopped"; reason: string };

function mergeSeries(current: Record<string, Point[]>, incoming: SeriesPoints[]): Record<string, Point[]> {
  let next = current;
  for (const series of incoming) {
    if (series.points.length === 0) continue;
    if (next === current) next = { ...current };
    next[series.key] = mergePoints(next[series.key] ?? [], series.points);
  }
  return next;
}

/** The part of `slice` after `offset` (UTF-8 bytes): what a resumed stream may repeat is cut off. */
function unseenText(slice: LiveLogSlice, offset: number): string {
  if (slice.nextOffset <= offset) return "";
  if (slice.offset >= offset) return slice.text;
  return new TextDecoder().decode(new TextEncoder().encode(slice.text).subarray(offset - slice.offset));
}

function connectionText(connection: Connection): string {
  switch (connection.state) {
    case "off":
      return "The run has finished.";
    case "connecting":
      return "Connecting to live updates…";
    case "live":
      return "Following live.";
    case "reconnecting":
      return "Live updates interrupted; reconnecting…";
    case "finished":
      return "The run has finished; live updates ended.";
    case "stopped":
      return `Live updates stopped: ${connection.reason}`;
  }
}

/**
 * A run's status, metric charts and log, kept current from /runs/<id>/events (Server-Sent
 * Events). It starts from what the server rendered, adds what arrives (points by key and step, so
 * repeats change nothing), and refreshes the server-rendered parts (`actions`, `details`) when the
 * run's status changes.
 */
export function RunLive({
  runId,
  label,
  initialRun,
  initialSeries,
  initialLog,
  actions,
  details,
}: {
  runId: string;
  label: string;
  initialRun: LiveRun;
  initialSeries: SeriesPoints[];
  initialLog: InitialLog;
  actions: ReactNode;
  details: ReactNode;
}) {
  const router = useRouter();
  const [run, setRun] = useState(initialRun);
  const [series, setSeries] = useState(() => mergeSeries({}, initialSeries));
  const [log, setLog] = useState(initialLog.text);
  const [trimmed, setTrimmed] = useState(initialLog.skippedBytes > 0);
  const [connection, setConnection] = useState<Connection>({ state: isFinished(initialRun.status) ? "off" : "connecting" });
  const logOffset = useRef(initialLog.nextOffset);
  const lastRun = useRef(initialRun);
  const logPanel = useRef<HTMLPreElement>(null);
  const following = useRef(true);

  useEffect(() => {
    if (isFinished(initialRun.status)) return;
    const source = new EventSource(runEventsPath(runId, logOffset.current));
    const listen = <T,>(name: string, handle: (data: T) => void) =>
      source.addEventListener(name, (event) => handle(JSON.parse((event as MessageEvent<string>).data) as T));
    source.onopen = () => setConnection({ state: "live" });
    source.onerror = () => {
      if (source.readyState === EventSource.CLOSED) setConnection((current) => (current.state === "stopped" || current.state === "finished" ? current : { state: "stopped", reason: "the server refused the stream (signed out?)" }));
      else setConnection((current) => (current.state === "stopped" ? current : { state: "reconnecting" }));
    };
    listen<SeriesPoints[]>("metrics", (incoming) => setSeries((current) => mergeSeries(current, incoming)));
    listen<LiveLogSlice>("logs", (slice) => {
      const text = unseenText(slice, logOffset.current);
      logOffset.current = Math.max(logOffset.current, slice.nextOffset);
      if (!text) return;
      setLog((current) => {
        const next = current + text;
        if (next.length <= MAX_LOG_CHARS) return next;
        setTrimmed(true);
        return next.slice(next.length - MAX_LOG_CHARS);
      });
    });
    listen<LiveRun>("run", (next) => {
      const previous = lastRun.current;
      lastRun.current = next;
      setRun(next);
      // The server-rendered parts (buttons, runner, error) follow the status.
      if (next.status !== previous.status || next.attempt !== previous.attempt || next.job.cancelRequested !== previous.job.cancelRequested) router.refresh();
    });
    listen<LiveProblem>("problem", (problem) => {
      if (problem.fatal) {
        source.close();
        setConnection({ state: "stopped", reason: problem.message });
      } else setConnection({ state: "reconnecting" });
    });
    listen<Record<string, never>>("end", () => {
      source.close();
      setConnection({ state: "finished" });
    });
    return () => source.close();
    // Once per page: a later render (router.refresh) must not start following again.
  }, [runId]);

  useLayoutEffect(() => {
    const panel = logPanel.current;
    if (panel && following.current) panel.scrollTop = panel.scrollHeight;
  }, [log]);

  const keyedSeries = groupKeys(Object.keys(series)).flatMap(({ keys }) =>
    keys.map((key, index) => ({ id: key, key, label: key, points: series[key] ?? [], color: index, dash: index })),
  );
  const cancelling = run.job.cancelRequested && !isFinished(run.status);

  return (
    <>
      <section className="run-status" aria-label="Status">
        <dl className="details">
          <dt>Status</dt>
          <dd data-testid="run-status">
            <RunStatusBadge status={run.status} />
            {cancelling ? <span className="muted"> cancel requested: the runner stops it at its next heartbeat</span> : null}
          </dd>
          {run.status === "RUNNING" ? (
            <>
              <dt>Progress</dt>
              <dd>
                <RunProgress progress={run.progress} label={`Progress of ${label}`} />
              </dd>
            </>
          ) : null}
          <dt>Attempt</dt>
          <dd>{`${run.attempt} / ${run.job.maxAttempts}`}</dd>
        </dl>
        <p className="live-state" role="status">
          {connectionText(connection)}
        </p>
      </section>
      {actions}
      {details}
      <section aria-labelledby="metrics-heading">
        <h2 id="metrics-heading">Metrics</h2>
        <MetricCharts series={keyedSeries} empty="No metrics reported yet." />
      </section>
      <section aria-labelledby="log-heading">
        <h2 id="log-heading">Log</h2>
        {trimmed ? <p className="hint">Earlier lines are not shown; `distillery logs {runId}` prints the whole log.</p> : null}
        <pre
          ref={logPanel}
          className="log"
          role="log"
          aria-live="polite"
          aria-labelledby="log-heading"
          tabIndex={0}
          data-testid="run-log"
          onScroll={(event) => {
            const panel = event.currentTarget;
            following.current = panel.scrollHeight - panel.scrollTop - panel.clientHeight < 24;
          }}
        >
          {log || <span className="muted">No output yet.</span>}
        </pre>
      </section>
    </>
  );
}
