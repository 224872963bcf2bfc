import { ApiError } from "@distillery/client";
import { AppHeader } from "../../components/app-header";
import { ModelFilters } from "../../components/model-filters";
import { Timestamp } from "../../components/timestamp";
import { modelHref, versionHref } from "../../lib/model-links";
import { MODELS, type ModelsPage } from "../../lib/model-operations";
import { modelsFilter, modelsHref, parseModelsQuery } from "../../lib/models-query";
import type { SearchParams } from "../../lib/search-params";
import { requireSession } from "../../lib/session";
import "../../styles/models.css";
import { NextPageLink, TotalCount } from "../../components/pagination";

export const metadata = { title: "Models · Distillery" };

const PAGE_SIZE = 50;

export default async function ModelsListPage({ searchParams }: { searchParams: Promise<SearchParams> }) {
  const { me, client } = await requireSession();
  const query = parseModelsQuery(await searchParams);
  let models: ModelsPage;
  try {
    models = (await client.request(MODELS, { first: PAGE_SIZE, after: query.after, filter: modelsFilter(query) })).models;
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    return (
      <>
        <AppHeader me={me} />
        <main className="models-page">
          <h1>Models</h1>
          <ModelFilters query={query} />
          <p role="alert" className="error">
            {error.describe()}
          </p>
        </main>
      </>
    );
  }
  return (
    <>
      <AppHeader me={me} />
      <main className="models-page">
        <h1>Models</h1>
        <ModelFilters query={query} />
        <TotalCount count={models.totalCount} singular="model" plural="models" />
        {models.edges.length === 0 ? (
          <p>No models match. Register one with <code>npx distillery push</code>.</p>
        ) : (
          <table className="models-table models-list">
            <caption>Models by name</caption>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Role</th>
                <th scope="col">Family</th>
                <th scope="col" className="numeric">Versions</th>
                <th scope="col">Aliases</th>
                <th scope="col">Updated</th>
              </tr>
            </thead>
            <tbody>
              {models.edges.map(({ node: model }) => (
                <tr key={model.name}>
                  <th scope="row">
                    <a href={modelHref(model.name)}>{model.name}</a>
                  </th>
                  <td>{model.role.toLowerCase()}</td>
                  <td>{model.family || <span className="muted">—</span>}</td>
                  <td className="numeric">{model.versions.totalCount}</td>
                  <td>
                    {model.aliases.length === 0 ? (
                      <span className="muted">—</span>
                    ) : (
                      <ul className="inline-list">
                        {model.aliases.map((alias) => (
                          <li key={alias.name}>
                            {`${alias.name} → `}
                            <a href={versionHref(model.name, alias.version.version)}>{`v${alias.version.version}`}</a>
                          </li>
                        ))}
                      </ul>
                    )}
                  </td>
                  <td>
                    <Timestamp iso={model.updatedAt} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        <NextPageLink page={models.pageInfo} href={(after) => modelsHref({ ...query, after })} />
      </main>
    </>
  );
}
