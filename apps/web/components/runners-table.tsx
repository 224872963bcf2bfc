import { timeAgo } from "../lib/relative-time";
import type { RunnerRow, RunningRun } from "../lib/runner-operations";

function progressText(progress: number | null): string {
  return progress === null ? "no progress reported" : `${Math.round(progress * 100)}%`;
}

/** Every runner; the current job is the running run whose job the runner holds. */
export function RunnersTable({ runners, running, now }: { runners: RunnerRow[]; running: Map<string, RunningRun[]>; now: Date }) {
  return (
    <table className="runners">
      <thead>
        <tr>
          <th scope="col">Name</th>
          <th scope="col">Status</th>
          <th scope="col">Device</th>
          <th scope="col" className="numeric">
            Memory (GB)
          </th>
          <th scope="col">Capabilities</th>
          <th scope="col">Labels</th>
          <th scope="col">Last seen</th>
          <th scope="col">Current job</th>
        </tr>
      </thead>
      <tbody>
        {runners.map((runner) => {
          const jobs = running.get(runner.id) ?? [];
          return (
            <tr key={runner.id} data-runner={runner.name}>
              <th scope="row">{runner.name}</th>
              <td>
                <span className={`badge ${runner.online ? "online" : "offline"}`}>{runner.online ? "online" : "offline"}</span>
              </td>
              <td className="device">
                <span className="device-kind">{runner.device.kind}</span>
                {runner.device.name ? <span className="device-name"> · {runner.device.name}</span> : null}
              </td>
              <td className="numeric">{runner.device.memoryGb > 0 ? runner.device.memoryGb.toFixed(1) : "—"}</td>
              <td>{runner.capabilities.length > 0 ? runner.capabilities.join(", ") : "—"}</td>
              <td>{runner.labels.length > 0 ? runner.labels.join(", ") : "—"}</td>
              <td>
                <time dateTime={runner.lastSeenAt} title={runner.lastSeenAt}>
                  {timeAgo(runner.lastSeenAt, now)}
                </time>
              </td>
              <td className="current-job">
                {jobs.length === 0
                  ? "idle"
                  : jobs.map((run) => (
                      <span key={run.id} className="job">
                        <a href={`/runs/${run.id}`}>
                          {run.experiment.name} #{run.number}
                        </a>{" "}
                        <span className="progress">{progressText(run.progress)}</span>
                      </span>
                    ))}
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
