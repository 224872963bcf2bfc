import { runDuration, formatTime, runLabel } from "../lib/run-format";
import type { RunRow } from "../lib/run-operations";
import { RunProgress, RunStatusBadge } from "./run-status";

/**
 * Runs, newest first, as /runs and an experiment's page list them. `selectable` adds a checkbox
 * per row named `run`: the table then sits in the GET form that opens /compare.
 */
export function RunTable({ runs, selectable = false, now }: { runs: RunRow[]; selectable?: boolean; now: number }) {
  if (runs.length === 0) return <p className="empty">No runs.</p>;
  return (
    <table className="runs">
      <thead>
        <tr>
          {selectable ? (
            <th scope="col">
              <span className="visually-hidden">Select</span>
            </th>
          ) : null}
          <th scope="col">Run</th>
          <th scope="col">Status</th>
          <th scope="col">Progress</th>
          <th scope="col" className="numeric">
            Attempt
          </th>
          <th scope="col">Runner</th>
          <th scope="col">Started</th>
          <th scope="col" className="numeric">
            Duration
          </th>
        </tr>
      </thead>
      <tbody>
        {runs.map((run) => {
          const label = runLabel(run);
          return (
            <tr key={run.id} data-run-id={run.id}>
              {selectable ? (
                <td>
                  <input type="checkbox" name="run" value={run.id} aria-label={`Select ${label}`} />
                </td>
              ) : null}
              <td>
                <a href={`/runs/${run.id}`}>{label}</a>
              </td>
              <td>
                <RunStatusBadge status={run.status} />
              </td>
              <td>{run.status === "RUNNING" ? <RunProgress progress={run.progress} label={`Progress of ${label}`} /> : null}</td>
              <td className="numeric">{`${run.attempt} / ${run.job.maxAttempts}`}</td>
              <td>{run.job.runner ? `${run.job.runner.name} (${run.job.runner.device.kind.toLowerCase()})` : "—"}</td>
              <td>{run.startedAt ? <time dateTime={run.startedAt}>{formatTime(run.startedAt)}</time> : "—"}</td>
              <td className="numeric">{runDuration(run, now) ?? "—"}</td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

/** The GET form around a selectable run table: the checked runs open side by side on /compare. */
export function CompareForm({ runs, now }: { runs: RunRow[]; now: number }) {
  return (
    <form method="get" action="/compare" className="compare-form">
      <RunTable runs={runs} selectable now={now} />
      {runs.length > 1 ? (
        <p>
          <button type="submit">Compare selected</button> <span className="hint">Tick two runs or more.</span>
        </p>
      ) : null}
    </form>
  );
}
