import { runHref } from "../lib/model-links";
import type { RunLink as Run } from "../lib/model-operations";

/** `experiment #3`, linking to the run's page; a dash when there is no run. */
export function RunLink({ run }: { run: Run | null }) {
  if (!run) return <span className="muted">—</span>;
  return <a href={runHref(run.id)}>{`${run.experiment.name} #${run.number}`}</a>;
}
