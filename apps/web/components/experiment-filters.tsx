import type { ExperimentsQuery } from "../lib/run-query";
import { EXPERIMENT_KINDS } from "../lib/run-operations";

/** A GET form: kind, name and tag filters live in the URL. */
export function ExperimentFilters({ query }: { query: ExperimentsQuery }) {
  return (
    <form method="get" action="/experiments" className="filters">
      <div className="field">
        <label htmlFor="kind">Kind</label>
        <select id="kind" name="kind" defaultValue={query.filter.kind ?? ""}>
          <option value="">Any</option>
          {EXPERIMENT_KINDS.map((kind) => (
            <option key={kind} value={kind}>
              {kind.toLowerCase()}
            </option>
          ))}
        </select>
      </div>
      <div className="field">
        <label htmlFor="name">Name contains</label>
        <input id="name" name="name" type="search" defaultValue={query.filter.nameContains ?? ""} />
      </div>
      <div className="field">
        <label htmlFor="tag">Tag</label>
        <input id="tag" name="tag" type="text" defaultValue={query.filter.tag ?? ""} />
      </div>
      <button type="submit">Apply</button>
    </form>
  );
}
