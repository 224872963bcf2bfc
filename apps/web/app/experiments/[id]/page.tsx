import { ActionButton } from "../../../components/action-button";
import { ApiFailure } from "../../../components/api-failure";
import { AppHeader } from "../../../components/app-header";
import { CompareForm } from "../../../components/run-table";
import { Tags } from "../../../components/tags";
import { formatTime } from "../../../lib/run-format";
import { EXPERIMENT } from "../../../lib/run-operations";
import { type SearchParams, single } from "../../../lib/search-params";
import { requireSession } from "../../../lib/session";
import { launchAgain } from "./actions";
import "../../../styles/runs.css";

export const metadata = { title: "Experiment · Distillery" };

const RUNS_PER_PAGE = 50;

export default async function ExperimentPage({ params, searchParams }: { params: Promise<{ id: string }>; searchParams: Promise<SearchParams> }) {
  const { me, client, canWrite } = await requireSession();
  const { id } = await params;
  const after = single(await searchParams, "after") ?? null;
  let experiment;
  try {
    experiment = (await client.request(EXPERIMENT, { id, first: RUNS_PER_PAGE, after })).experiment;
  } catch (error) {
    return (
      <>
        <AppHeader me={me} />
        <main>
          <p className="breadcrumbs">
            <a href="/experiments">Experiments</a>
          </p>
          <h1>Experiment</h1>
          <ApiFailure error={error} />
        </main>
      </>
    );
  }
  const runs = experiment.runs;
  return (
    <>
      <AppHeader me={me} />
      <main className="experiment-page">
        <p className="breadcrumbs">
          <a href="/experiments">Experiments</a>
        </p>
        <h1>{experiment.name}</h1>
        <dl className="details">
          <dt>Kind</dt>
          <dd>{experiment.kind}</dd>
          <dt>Tags</dt>
          <dd>
            <Tags tags={experiment.tags} />
          </dd>
          <dt>Created</dt>
          <dd>
            <time dateTime={experiment.createdAt}>{formatTime(experiment.createdAt)}</time> by {experiment.createdBy}
          </dd>
        </dl>
        {canWrite ? <ActionButton action={launchAgain.bind(null, experiment.id)} label="Launch again" pendingLabel="Launching…" /> : null}
        <section aria-labelledby="spec-heading">
          <h2 id="spec-heading">Spec</h2>
          <p className="hint">As validated, with the kind&apos;s defaults filled in.</p>
          <pre className="json" data-testid="spec">
            {JSON.stringify(experiment.spec, null, 2)}
          </pre>
        </section>
        <section aria-labelledby="runs-heading">
          <h2 id="runs-heading">Runs ({runs.totalCount})</h2>
          <CompareForm runs={runs.edges.map((edge) => edge.node)} now={Date.now()} />
          {runs.pageInfo.hasNextPage && runs.pageInfo.endCursor ? (
            <p>
              <a href={`/experiments/${experiment.id}?after=${encodeURIComponent(runs.pageInfo.endCursor)}`}>Older runs</a>
            </p>
          ) : null}
        </section>
      </main>
    </>
  );
}
