import { AppHeader } from "../../components/app-header";
import { ApiFailure } from "../../components/api-failure";
import { RunFilters } from "../../components/run-filters";
import { CompareForm } from "../../components/run-table";
import { EXPERIMENT_CHOICES, RUNS } from "../../lib/run-operations";
import { parseRunsQuery, runsHref } from "../../lib/run-query";
import type { SearchParams } from "../../lib/search-params";
import { requireSession } from "../../lib/session";
import "../../styles/runs.css";
import { NextPageLink, TotalCount } from "../../components/pagination";

export const metadata = { title: "Runs · Distillery" };

const PAGE_SIZE = 50;

export default async function RunsPage({ searchParams }: { searchParams: Promise<SearchParams> }) {
  const { me, client } = await requireSession();
  const query = parseRunsQuery(await searchParams);
  const experiments = (await client.request(EXPERIMENT_CHOICES, {})).experiments.edges.map((edge) => edge.node);
  let content;
  try {
    const page = (await client.request(RUNS, { first: PAGE_SIZE, after: query.after, filter: query.filter })).runs;
    content = (
      <>
        <TotalCount count={page.totalCount} singular="run" plural="runs" />
        <CompareForm runs={page.edges.map((edge) => edge.node)} now={Date.now()} />
        <NextPageLink page={page.pageInfo} href={(after) => runsHref({ ...query, after })} />
      </>
    );
  } catch (error) {
    content = <ApiFailure error={error} />;
  }
  return (
    <>
      <AppHeader me={me} />
      <main className="runs-page">
        <h1>Runs</h1>
        <RunFilters query={query} experiments={experiments} />
        {content}
      </main>
    </>
  );
}
