import { ActionButton } from "../../../components/action-button";
import { ApiFailure } from "../../../components/api-failure";
import { AppHeader } from "../../../components/app-header";
import { type InitialLog, RunLive } from "../../../components/run-live";
import { formatTime, runDuration, runLabel } from "../../../lib/run-format";
import { isFinished, type RunDetail, RUN, RUN_LOG } from "../../../lib/run-operations";
import { requireSession } from "../../../lib/session";
import { cancelRun, retryRun } from "./actions";
import "../../../styles/runs.css";

export const metadata = { title: "Run · Distillery" };

/** The page shows at most this many bytes of a run's stored log: its tail. */
const LOG_WINDOW = 256 * 1024;

async function initialLog(run: RunDetail, readTail: (offset: number) => Promise<RunDetail["logs"]>): Promise<InitialLog> {
  if (run.logs.nextOffset >= run.logs.totalBytes) return { text: run.logs.text, nextOffset: run.logs.nextOffset, skippedBytes: 0 };
  const tail = await readTail(run.logs.totalBytes - LOG_WINDOW);
  // The tail may start inside a line (or a character): it starts at the next whole line.
  const text = tail.text.slice(tail.text.indexOf("\n") + 1);
  return { text, nextOffset: tail.nextOffset, skippedBytes: tail.offset };
}

/** refs like student@v3 in the job's result: links to those versions. */
function producedVersions(result: Record<string, unknown> | null): Array<{ artifact: string; ref: string; href: string }> {
  const versions = result?.versions;
  if (typeof versions !== "object" || versions === null) return [];
  return Object.entries(versions).flatMap(([artifact, ref]) => {
    const match = typeof ref === "string" ? /^(.+)@v(\d+)$/.exec(ref) : null;
    return match ? [{ artifact, ref: ref as string, href: `/models/${encodeURIComponent(match[1]!)}/versions/${match[2]}` }] : [];
  });
}

function RunDetails({ run, now }: { run: RunDetail; now: number }) {
  const runner = run.job.runner;
  const versions = producedVersions(run.result);
  return (
    <section aria-labelledby="details-heading">
      <h2 id="details-heading">Details</h2>
      <dl className="details">
        <dt>Experiment</dt>
        <dd>
          <a href={`/experiments/${run.experiment.id}`}>{run.experiment.name}</a> ({run.experiment.kind})
        </dd>
        {run.retryOf ? (
          <>
            <dt>Retry of</dt>
            <dd>
              <a href={`/runs/${run.retryOf.id}`}>{`${run.experiment.name} #${run.retryOf.number}`}</a>
            </dd>
          </>
        ) : null}
        <dt>Runner</dt>
        <dd>{runner ? `${runner.name} — ${runner.device.kind}${runner.device.name ? ` ${runner.device.name}` : ""}` : "none yet"}</dd>
        {run.waitingReason && run.status === "QUEUED" ? (
          <>
            <dt>Waiting</dt>
            <dd>{run.waitingReason}</dd>
          </>
        ) : null}
        <dt>Requirements</dt>
        <dd>
          {`device ${run.requirements.device}, at least ${run.requirements.minMemoryGb} GB`}
          {run.requirements.capabilities.length ? `, capabilities ${run.requirements.capabilities.join(", ")}` : ""}
          {run.requirements.labels.length ? `, labels ${run.requirements.labels.join(", ")}` : ""}
        </dd>
        <dt>Priority</dt>
        <dd>{run.job.priority}</dd>
        <dt>Created</dt>
        <dd>
          <time dateTime={run.createdAt}>{formatTime(run.createdAt)}</time> by {run.createdBy}
        </dd>
        <dt>Started</dt>
        <dd>{run.startedAt ? <time dateTime={run.startedAt}>{formatTime(run.startedAt)}</time> : "—"}</dd>
        <dt>Finished</dt>
        <dd>{run.finishedAt ? <time dateTime={run.finishedAt}>{formatTime(run.finishedAt)}</time> : "—"}</dd>
        <dt>Duration</dt>
        <dd>{runDuration(run, now) ?? "—"}</dd>
        {run.job.error || run.job.failureKind ? (
          <>
            <dt>Error</dt>
            <dd className="error" data-testid="run-error">
              {run.job.failureKind ? <strong>{run.job.failureKind}</strong> : null} {run.job.error}
            </dd>
          </>
        ) : null}
        {versions.length ? (
          <>
            <dt>Versions produced</dt>
            <dd>
              <ul className="plain">
                {versions.map((version) => (
                  <li key={version.artifact}>
                    <a href={version.href}>{version.ref}</a> ({version.artifact})
                  </li>
                ))}
              </ul>
            </dd>
          </>
        ) : null}
      </dl>
      {run.result ? (
        <>
          <h3>Result</h3>
          <pre className="json" data-testid="run-result">
            {JSON.stringify(run.result, null, 2)}
          </pre>
        </>
      ) : null}
    </section>
  );
}

export default async function RunPage({ params }: { params: Promise<{ id: string }> }) {
  const { me, client, canWrite } = await requireSession();
  const { id } = await params;
  let run: RunDetail;
  let log: InitialLog;
  try {
    run = (await client.request(RUN, { id, logLimit: LOG_WINDOW })).run;
    log = await initialLog(run, async (offset) => (await client.request(RUN_LOG, { id, offset, limit: LOG_WINDOW })).run.logs);
  } catch (error) {
    return (
      <>
        <AppHeader me={me} />
        <main>
          <p className="breadcrumbs">
            <a href="/runs">Runs</a>
          </p>
          <h1>Run</h1>
          <ApiFailure error={error} />
        </main>
      </>
    );
  }
  const label = runLabel(run);
  const finished = isFinished(run.status);
  const canCancel = canWrite && !finished && !run.job.cancelRequested;
  const actions =
    canCancel || (canWrite && finished) ? (
      <div className="actions">
        {canCancel ? <ActionButton action={cancelRun.bind(null, run.id)} label="Cancel run" pendingLabel="Cancelling…" danger /> : null}
        {canWrite && finished ? <ActionButton action={retryRun.bind(null, run.id)} label="Retry" pendingLabel="Retrying…" /> : null}
      </div>
    ) : null;
  return (
    <>
      <AppHeader me={me} />
      <main className="run-page">
        <p className="breadcrumbs">
          <a href="/runs">Runs</a> / <a href={`/experiments/${run.experiment.id}`}>{run.experiment.name}</a>
        </p>
        <h1>{label}</h1>
        <RunLive
          runId={run.id}
          label={label}
          initialRun={{ id: run.id, status: run.status, progress: run.progress, attempt: run.attempt, startedAt: run.startedAt, finishedAt: run.finishedAt, job: { state: run.job.state, maxAttempts: run.job.maxAttempts, cancelRequested: run.job.cancelRequested } }}
          initialSeries={run.metrics}
          initialLog={log}
          actions={actions}
          details={<RunDetails run={run} now={Date.now()} />}
        />
      </main>
    </>
  );
}
