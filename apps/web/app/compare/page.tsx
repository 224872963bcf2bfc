import { ApiFailure } from "../../components/api-failure";
import { AppHeader } from "../../components/app-header";
import { type KeyedSeries, MetricCharts } from "../../components/metric-charts";
import { RunStatusBadge } from "../../components/run-status";
import { groupKeys } from "../../lib/chart-geometry";
import { formatTime, formatValue, runDuration, runLabel } from "../../lib/run-format";
import { COMPARED_RUN, type ComparedRun } from "../../lib/run-operations";
import { every, type SearchParams } from "../../lib/search-params";
import { requireSession } from "../../lib/session";
import "../../styles/runs.css";

export const metadata = { title: "Compare runs · Distillery" };

/** More lines than this on one chart are unreadable anyway. */
const MAX_RUNS = 8;

/** Every (run, key) as a line: the colour names the run, the dash the key within its chart. */
function comparedSeries(runs: ComparedRun[]): KeyedSeries[] {
  const groups = groupKeys(runs.flatMap((run) => run.metrics.map((series) => series.key)));
  const dashOf = new Map(groups.flatMap(({ keys }) => keys.map((key, index) => [key, index] as const)));
  return runs.flatMap((run, index) =>
    run.metrics.map((series) => ({
      id: `${run.id}:${series.key}`,
      key: series.key,
      label: `${runLabel(run)} · ${series.key}`,
      points: series.points,
      color: index,
      dash: dashOf.get(series.key) ?? 0,
    })),
  );
}

function SummaryTable({ runs, now }: { runs: ComparedRun[]; now: number }) {
  const keys = groupKeys(runs.flatMap((run) => Object.keys(run.summary))).flatMap((group) => group.keys);
  return (
    <table className="compare">
      <caption>Each run&apos;s final value of every metric</caption>
      <thead>
        <tr>
          <th scope="col">
            <span className="visually-hidden">Field</span>
          </th>
          {runs.map((run) => (
            <th scope="col" key={run.id}>
              <a href={`/runs/${run.id}`}>{runLabel(run)}</a>
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        <tr>
          <th scope="row">Status</th>
          {runs.map((run) => (
            <td key={run.id}>
              <RunStatusBadge status={run.status} />
            </td>
          ))}
        </tr>
        <tr>
          <th scope="row">Started</th>
          {runs.map((run) => (
            <td key={run.id}>{run.startedAt ? <time dateTime={run.startedAt}>{formatTime(run.startedAt)}</time> : "—"}</td>
          ))}
        </tr>
        <tr>
          <th scope="row">Duration</th>
          {runs.map((run) => (
            <td key={run.id} className="numeric">
              {runDuration(run, now) ?? "—"}
            </td>
          ))}
        </tr>
        {keys.map((key) => (
          <tr key={key}>
            <th scope="row">{key}</th>
            {runs.map((run) => (
              <td key={run.id} className="numeric">
                {run.summary[key] === undefined ? "—" : formatValue(run.summary[key])}
              </td>
            ))}
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export default async function ComparePage({ searchParams }: { searchParams: Promise<SearchParams> }) {
  const { me, client } = await requireSession();
  const ids = every(await searchParams, "run").slice(0, MAX_RUNS);
  const answers = await Promise.allSettled(ids.map((id) => client.request(COMPARED_RUN, { id })));
  // Oldest first, however they were ticked: #1 before #2.
  const runs = answers.flatMap((answer) => (answer.status === "fulfilled" ? [answer.value.run] : [])).sort((a, b) => a.createdAt.localeCompare(b.createdAt));
  const failures = answers.flatMap((answer) => (answer.status === "rejected" ? [answer.reason as unknown] : []));
  return (
    <>
      <AppHeader me={me} />
      <main className="compare-page">
        <p className="breadcrumbs">
          <a href="/runs">Runs</a>
        </p>
        <h1>Compare runs</h1>
        {failures.map((failure, index) => (
          <ApiFailure key={index} error={failure} />
        ))}
        {runs.length < 2 ? (
          <p className="notice" data-testid="compare-too-few">
            Comparing needs two runs or more: tick them on the <a href="/runs">runs page</a> and press Compare selected.
          </p>
        ) : (
          <>
            <p>
              {runs.length} runs: {runs.map((run) => runLabel(run)).join(", ")}.
            </p>
            <section aria-labelledby="charts-heading">
              <h2 id="charts-heading">Metrics</h2>
              <MetricCharts series={comparedSeries(runs)} empty="None of these runs reported metrics." />
            </section>
            <section aria-labelledby="summary-heading">
              <h2 id="summary-heading">Summary</h2>
              <SummaryTable runs={runs} now={Date.now()} />
            </section>
          </>
        )}
      </main>
    </>
  );
}
