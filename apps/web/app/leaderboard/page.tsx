import { ApiError } from "@distillery/client";
import { AppHeader } from "../../components/app-header";
import { LeaderboardFilters } from "../../components/leaderboard-filters";
import { LeaderboardTable } from "../../components/leaderboard-table";
import { ParetoScatter } from "../../components/pareto-scatter";
import { leaderboardHref, parseLeaderboardQuery } from "../../lib/leaderboard-query";
import type { SearchParams } from "../../lib/search-params";
import { LEADERBOARD, PROTOCOLS } from "../../lib/operations";
import { requireSession } from "../../lib/session";
import { NextPageLink, TotalCount } from "../../components/pagination";

export const metadata = { title: "Leaderboard · Distillery" };

const PAGE_SIZE = 100;

export default async function LeaderboardPage({ searchParams }: { searchParams: Promise<SearchParams> }) {
  const { me, client } = await requireSession();
  const query = parseLeaderboardQuery(await searchParams);
  const { protocols } = await client.request(PROTOCOLS, {});
  const protocol = query.protocol ?? protocols[0]?.key;
  if (!protocol) {
    return (
      <>
        <AppHeader me={me} />
        <main>
          <h1>Leaderboard</h1>
          <p>No evaluations yet: evaluate a version to see it ranked here.</p>
        </main>
      </>
    );
  }
  let page;
  try {
    page = (
      await client.request(LEADERBOARD, {
        protocol,
        filter: query.filter,
        orderBy: query.orderBy,
        descending: query.descending,
        pareto: query.pareto,
        first: PAGE_SIZE,
        after: query.after,
      })
    ).leaderboard;
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    return (
      <>
        <AppHeader me={me} />
        <main>
          <h1>Leaderboard</h1>
          <LeaderboardFilters protocols={protocols} protocol={protocol} query={query} />
          <p role="alert" className="error">{error.describe()}</p>
        </main>
      </>
    );
  }
  return (
    <>
      <AppHeader me={me} />
      <main>
        <h1>Leaderboard</h1>
        <LeaderboardFilters protocols={protocols} protocol={protocol} query={query} />
        <TotalCount count={page.totalCount} singular="version" plural="versions" />
        <ParetoScatter rows={page.rows} />
        <LeaderboardTable rows={page.rows} query={{ ...query, protocol }} />
        <NextPageLink page={page} href={(after) => leaderboardHref({ ...query, protocol, after })} />
      </main>
    </>
  );
}
