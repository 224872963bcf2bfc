import { ExperimentKind } from "@distillery/domain";
import { AppHeader } from "../../components/app-header";
import { defaultSpec } from "../../lib/spec-form/form-data";
import { KINDS, parseKind, specFields } from "../../lib/spec-form/kinds";
import { requireSession } from "../../lib/session";
import { JsonLaunchForm } from "./json-launch-form";
import { LaunchForm } from "./launch-form";
import { WRITE_NEEDED } from "./launch-state";
import "../../styles/launch.css";

export const metadata = { title: "Launch · Distillery" };

type SearchParams = Record<string, string | string[] | undefined>;

function launchHref(kind: ExperimentKind, json: boolean): string {
  return `/launch?kind=${kind}${json ? "&view=json" : ""}`;
}

/** The document the JSON view starts from: the kind's defaults. */
function defaultDocument(kind: ExperimentKind): string {
  return JSON.stringify({ name: "", kind, tags: [], spec: defaultSpec(specFields(kind)) }, null, 2);
}

export default async function LaunchPage({ searchParams }: { searchParams: Promise<SearchParams> }) {
  const { me, canWrite } = await requireSession();
  const params = await searchParams;
  const kind = parseKind(params.kind) ?? ExperimentKind.COMMAND;
  const json = params.view === "json";
  return (
    <>
      <AppHeader me={me} />
      <main className="launch">
        <h1>Launch an experiment</h1>
        {!canWrite ? (
          <p className="notice" data-testid="write-needed">
            {WRITE_NEEDED} This token has {me.scopes.join(", ")}.
          </p>
        ) : (
          <>
            <p id="kind-label" className="picker-label">
              Experiment kind
            </p>
            <nav aria-labelledby="kind-label" className="tabs kinds">
              {KINDS.map((candidate) => (
                <a key={candidate} href={launchHref(candidate, json)} aria-current={candidate === kind ? "page" : undefined}>
                  {candidate}
                </a>
              ))}
            </nav>
            <nav aria-label="Editor" className="tabs views">
              <a href={launchHref(kind, false)} aria-current={json ? undefined : "page"}>
                Form
              </a>
              <a href={launchHref(kind, true)} aria-current={json ? "page" : undefined}>
                Edit as JSON
              </a>
            </nav>
            {json ? <JsonLaunchForm key={kind} initialText={defaultDocument(kind)} /> : <LaunchForm key={kind} kind={kind} fields={specFields(kind)} />}
          </>
        )}
      </main>
    </>
  );
}
