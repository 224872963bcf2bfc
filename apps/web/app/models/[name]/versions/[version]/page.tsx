import { notFound } from "next/navigation";
import { AppHeader } from "../../../../../components/app-header";
import { CopyCommand } from "../../../../../components/copy-command";
import { EvaluationsTable } from "../../../../../components/evaluations-table";
import { LineageTable, LineageView } from "../../../../../components/lineage-view";
import { PromoteForm } from "../../../../../components/promote-form";
import { RunLink } from "../../../../../components/run-link";
import { Timestamp } from "../../../../../components/timestamp";
import { formatBytes, formatCount } from "../../../../../lib/format";
import type { LineageEdge } from "../../../../../lib/lineage-graph";
import { modelHref, pullCommand, segmentName } from "../../../../../lib/model-links";
import { lineageAround } from "../../../../../lib/model-lineage";
import { type EvaluationRow, VERSION_PAGE, type VersionDetail } from "../../../../../lib/model-operations";
import { isMissing } from "../../../../../lib/not-found";
import { requireSession } from "../../../../../lib/session";
import "../../../../../styles/models.css";
import type { SearchParams } from "../../../../../lib/search-params";

type Params = Promise<{ name: string; version: string }>;


export async function generateMetadata({ params }: { params: Params }) {
  const { name, version } = await params;
  return { title: `${segmentName(name)}@v${version} · Models · Distillery` };
}

/** The pull commands for a version: by number, by each alias on it, and each quantized variant's precision. */
function pullCommands(version: VersionDetail): string[] {
  const byNumber = `${version.model.name}@v${version.version}`;
  const precisions = [
    ...new Set(
      version.children
        .filter((edge) => edge.relation === "QUANTIZED_FROM" && edge.version.status === "READY" && edge.version.precision !== version.precision)
        .map((edge) => edge.version.precision),
    ),
  ].sort();
  return [
    pullCommand(byNumber),
    ...version.aliases.map((alias) => pullCommand(`${version.model.name}@${alias.name}`)),
    ...precisions.map((precision) => pullCommand(byNumber, precision)),
  ];
}

export default async function VersionPage({ params, searchParams }: { params: Params; searchParams: Promise<SearchParams> }) {
  const { me, client, canWrite } = await requireSession();
  const { name: rawName, version: rawVersion } = await params;
  const name = segmentName(rawName);
  if (!/^[1-9]\d{0,8}$/.test(rawVersion)) notFound();
  const number = Number(rawVersion);
  let version: VersionDetail;
  let evaluations: EvaluationRow[];
  try {
    ({ modelVersion: version, evaluations } = await client.request(VERSION_PAGE, { ref: `${name}@v${number}` }));
  } catch (error) {
    if (isMissing(error)) notFound();
    throw error;
  }
  const lineage = await lineageAround(client, [version]);
  const promoted = (await searchParams).promoted;
  const parents: LineageEdge[] = version.parents.map((link) => ({ parent: link.version, child: version, relation: link.relation, recipe: link.recipe }));
  const children: LineageEdge[] = version.children.map((link) => ({ parent: version, child: link.version, relation: link.relation, recipe: link.recipe }));

  return (
    <>
      <AppHeader me={me} />
      <main className="models-page">
        <p className="breadcrumb">
          <a href="/models">Models</a> / <a href={modelHref(version.model.name)}>{version.model.name}</a> /
        </p>
        <h1>{version.ref}</h1>
        {typeof promoted === "string" && version.aliases.some((alias) => alias.name === promoted) ? (
          <p role="status" className="notice">{`${version.model.name}@${promoted} now points at v${version.version}.`}</p>
        ) : null}

        <section aria-labelledby="details-heading">
          <h2 id="details-heading">Details</h2>
          <dl className="details">
            <dt>Digest</dt>
            <dd>
              <code>{version.digest}</code>
            </dd>
            <dt>Size</dt>
            <dd>{`${formatBytes(version.sizeBytes)} (${version.sizeBytes} bytes)`}</dd>
            <dt>Params</dt>
            <dd>{version.params === null ? "—" : `${formatCount(version.params)} (${version.params})`}</dd>
            <dt>Precision</dt>
            <dd>{version.precision}</dd>
            <dt>Format</dt>
            <dd>{version.format}</dd>
            <dt>Status</dt>
            <dd>
              <span className={`status status-${version.status.toLowerCase()}`}>{version.status.toLowerCase()}</span>
            </dd>
            <dt>Created</dt>
            <dd>
              <Timestamp iso={version.createdAt} /> by {version.createdBy}
            </dd>
            <dt>Produced by</dt>
            <dd>
              <RunLink run={version.producedBy} />
            </dd>
            <dt>Metadata</dt>
            <dd>
              <pre className="json">{JSON.stringify(version.metadata, null, 2)}</pre>
            </dd>
          </dl>
        </section>

        <section aria-labelledby="pull-heading">
          <h2 id="pull-heading">Pull</h2>
          {version.status === "READY" ? (
            pullCommands(version).map((command) => <CopyCommand key={command} command={command} />)
          ) : (
            <p className="muted">{`Only ready versions can be pulled; this one is ${version.status.toLowerCase()}.`}</p>
          )}
        </section>

        <section aria-labelledby="aliases-heading">
          <h2 id="aliases-heading">Aliases</h2>
          {version.aliases.length === 0 ? (
            <p className="muted">No alias points at this version.</p>
          ) : (
            <ul className="aliases-here">
              {version.aliases.map((alias) => (
                <li key={alias.name}>
                  <code>{`${version.model.name}@${alias.name}`}</code>
                </li>
              ))}
            </ul>
          )}
          {canWrite ? <PromoteForm model={version.model.name} version={version.version} knownAliases={version.model.aliases.map((alias) => alias.name)} /> : null}
        </section>

        <section aria-labelledby="lineage-heading">
          <h2 id="lineage-heading">Lineage</h2>
          {parents.length > 0 ? <LineageTable edges={parents} caption="Made from" /> : <p className="muted">Not made from another version.</p>}
          {children.length > 0 ? <LineageTable edges={children} caption="Made from this version" /> : <p className="muted">Nothing was made from this version yet.</p>}
          {lineage.edges.length > 0 ? <LineageView graph={lineage} focusIds={[version.id]} subject={version.ref} /> : null}
        </section>

        <section aria-labelledby="evaluations-heading">
          <h2 id="evaluations-heading">Evaluations</h2>
          <EvaluationsTable evaluations={evaluations} showVersion={false} caption={`Evaluations of ${version.ref}, newest first`} />
        </section>
      </main>
    </>
  );
}
