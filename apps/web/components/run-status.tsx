import { formatPercent } from "../lib/run-format";

/** A run's status as a word (the colour only repeats it). */
export function RunStatusBadge({ status }: { status: string }) {
  return <span className={`status status-${status.toLowerCase()}`}>{status}</span>;
}

/** How far a running run is, 0..1 as its runner reported; indeterminate before the first report. */
export function RunProgress({ progress, label }: { progress: number | null; label: string }) {
  return (
    <span className="run-progress">
      {progress === null ? <progress max={1} aria-label={label} /> : <progress max={1} value={progress} aria-label={label} />}
      <span className="percent">{progress === null ? "…" : formatPercent(progress)}</span>
    </span>
  );
}
