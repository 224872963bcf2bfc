import { AppHeader } from "../../components/app-header";
import { ApiFailure } from "../../components/api-failure";
import { ExperimentFilters } from "../../components/experiment-filters";
import { Tags } from "../../components/tags";
import { formatTime } from "../../lib/run-format";
import { EXPERIMENTS, type ExperimentRow } from "../../lib/run-operations";
import { experimentsHref, parseExperimentsQuery } from "../../lib/run-query";
import type { SearchParams } from "../../lib/search-params";
import { requireSession } from "../../lib/session";
import "../../styles/runs.css";
import { NextPageLink, TotalCount } from "../../components/pagination";

export const metadata = { title: "Experiments · Distillery" };

const PAGE_SIZE = 50;

function ExperimentTable({ experiments }: { experiments: ExperimentRow[] }) {
  if (experiments.length === 0) return <p className="empty">No experiments match.</p>;
  return (
    <table className="experiments">
      <thead>
        <tr>
          <th scope="col">Name</th>
          <th scope="col">Kind</th>
          <th scope="col">Tags</th>
          <th scope="col">Created by</th>
          <th scope="col">Created</th>
          <th scope="col" className="numeric">
            Runs
          </th>
        </tr>
      </thead>
      <tbody>
        {experiments.map((experiment) => (
          <tr key={experiment.id}>
            <td>
              <a href={`/experiments/${experiment.id}`}>{experiment.name}</a>
            </td>
            <td>{experiment.kind}</td>
            <td>
              <Tags tags={experiment.tags} />
            </td>
            <td>{experiment.createdBy}</td>
            <td>
              <time dateTime={experiment.createdAt}>{formatTime(experiment.createdAt)}</time>
            </td>
            <td className="numeric">{experiment.runs.totalCount}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export default async function ExperimentsPage({ searchParams }: { searchParams: Promise<SearchParams> }) {
  const { me, client } = await requireSession();
  const query = parseExperimentsQuery(await searchParams);
  let content;
  try {
    const page = (await client.request(EXPERIMENTS, { first: PAGE_SIZE, after: query.after, filter: query.filter })).experiments;
    content = (
      <>
        <TotalCount count={page.totalCount} singular="experiment" plural="experiments" />
        <ExperimentTable experiments={page.edges.map((edge) => edge.node)} />
        <NextPageLink page={page.pageInfo} href={(after) => experimentsHref({ ...query, after })} />
      </>
    );
  } catch (error) {
    content = <ApiFailure error={error} />;
  }
  return (
    <>
      <AppHeader me={me} />
      <main className="experiments-page">
        <h1>Experiments</h1>
        <ExperimentFilters query={query} />
        {content}
      </main>
    </>
  );
}
