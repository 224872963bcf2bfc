import type { RunsQuery } from "../lib/run-query";
import { RUN_STATUSES } from "../lib/run-operations";

/** A GET form: the status and experiment filters live in the URL. */
export function RunFilters({ query, experiments }: { query: RunsQuery; experiments: Array<{ id: string; name: string }> }) {
  const chosen = query.filter.experiment;
  const known = !chosen || experiments.some((experiment) => experiment.id === chosen);
  return (
    <form method="get" action="/runs" className="filters">
      <div className="field">
        <label htmlFor="status">Status</label>
        <select id="status" name="status" defaultValue={query.filter.status ?? ""}>
          <option value="">Any</option>
          {RUN_STATUSES.map((status) => (
            <option key={status} value={status}>
              {status.toLowerCase()}
            </option>
          ))}
        </select>
      </div>
      <div className="field">
        <label htmlFor="experiment">Experiment</label>
        <select id="experiment" name="experiment" defaultValue={chosen ?? ""}>
          <option value="">Any</option>
          {known ? null : <option value={chosen}>{chosen}</option>}
          {experiments.map((experiment) => (
            <option key={experiment.id} value={experiment.id}>
              {experiment.name}
            </option>
          ))}
        </select>
      </div>
      <button type="submit">Apply</button>
    </form>
  );
}
