import { notFound } from "next/navigation";
import { AliasHistory } from "../../../components/alias-history";
import { AppHeader } from "../../../components/app-header";
import { CopyCommand } from "../../../components/copy-command";
import { EvaluationsTable } from "../../../components/evaluations-table";
import { LineageView } from "../../../components/lineage-view";
import { Timestamp } from "../../../components/timestamp";
import { VersionsTable } from "../../../components/versions-table";
import { pullCommand, segmentName } from "../../../lib/model-links";
import { lineageAround } from "../../../lib/model-lineage";
import { evaluationsOf, MODEL_PAGE, type ModelDetail } from "../../../lib/model-operations";
import { isMissing } from "../../../lib/not-found";
import { requireSession } from "../../../lib/session";
import "../../../styles/models.css";

const VERSIONS_SHOWN = 100;

type Params = Promise<{ name: string }>;

export async function generateMetadata({ params }: { params: Params }) {
  return { title: `${segmentName((await params).name)} · Models · Distillery` };
}

/** What to pull: the production alias, else another alias, else the newest ready version. */
function pullRef(model: ModelDetail): string | null {
  const alias = model.aliases.find((candidate) => candidate.name === "production") ?? model.aliases[0];
  if (alias) return `${model.name}@${alias.name}`;
  const newest = model.versions.edges.find(({ node }) => node.status === "READY")?.node;
  return newest ? `${model.name}@v${newest.version}` : null;
}

export default async function ModelPage({ params }: { params: Params }) {
  const { me, client } = await requireSession();
  const name = segmentName((await params).name);
  let model: ModelDetail;
  try {
    model = (await client.request(MODEL_PAGE, { name, first: VERSIONS_SHOWN })).model;
  } catch (error) {
    if (isMissing(error)) notFound();
    throw error;
  }
  const versions = model.versions.edges.map(({ node }) => node);
  const [evaluations, lineage] = await Promise.all([evaluationsOf(client, versions.map((version) => version.ref)), lineageAround(client, versions)]);
  const pull = pullRef(model);

  return (
    <>
      <AppHeader me={me} />
      <main className="models-page">
        <p className="breadcrumb">
          <a href="/models">Models</a> /
        </p>
        <h1>{model.name}</h1>
        <dl className="facts">
          <div>
            <dt>Role</dt>
            <dd>{model.role.toLowerCase()}</dd>
          </div>
          <div>
            <dt>Family</dt>
            <dd>{model.family || "—"}</dd>
          </div>
          <div>
            <dt>Tags</dt>
            <dd>{model.tags.length === 0 ? "—" : model.tags.map((tag) => <span key={tag} className="tag">{tag}</span>)}</dd>
          </div>
          <div>
            <dt>Created</dt>
            <dd>
              <Timestamp iso={model.createdAt} /> by {model.createdBy}
            </dd>
          </div>
          <div>
            <dt>Updated</dt>
            <dd>
              <Timestamp iso={model.updatedAt} />
            </dd>
          </div>
        </dl>
        {model.description ? <p className="description">{model.description}</p> : null}

        {pull ? (
          <section aria-labelledby="pull-heading">
            <h2 id="pull-heading">Pull</h2>
            <CopyCommand command={pullCommand(pull)} />
          </section>
        ) : null}

        <section aria-labelledby="versions-heading">
          <h2 id="versions-heading">Versions</h2>
          {versions.length === 0 ? (
            <p className="muted">No versions yet: push one with <code>{`npx distillery push ${model.name} <file>`}</code>.</p>
          ) : (
            <>
              <VersionsTable model={model.name} versions={versions} />
              {model.versions.totalCount > versions.length ? <p className="muted">{`The newest ${versions.length} of ${model.versions.totalCount} versions.`}</p> : null}
            </>
          )}
        </section>

        <section aria-labelledby="lineage-heading">
          <h2 id="lineage-heading">Lineage</h2>
          <LineageView graph={lineage} focusIds={versions.map((version) => version.id)} subject={model.name} />
        </section>

        <section aria-labelledby="aliases-heading">
          <h2 id="aliases-heading">Aliases</h2>
          <AliasHistory model={model.name} aliases={model.aliases} history={model.aliasHistory} />
        </section>

        <section aria-labelledby="evaluations-heading">
          <h2 id="evaluations-heading">Evaluations</h2>
          <EvaluationsTable evaluations={evaluations} showVersion caption="Evaluations by version, newest first" />
        </section>
      </main>
    </>
  );
}
