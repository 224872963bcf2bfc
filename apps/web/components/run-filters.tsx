import type { RunsQuery } from "../lib/run-query";
import { RUN_STATUSES } from "../lib/run-operations";
import { FilterSelect, lowerCaseChoices } from "./filter-fields";

/** A GET form: the status and experiment filters live in the URL. */
export function RunFilters({ query, experiments }: { query: RunsQuery; experiments: Array<{ id: string; name: string }> }) {
  const chosen = query.filter.experiment;
  const known = !chosen || experiments.some((experiment) => experiment.id === chosen);
  return (
    <form method="get" action="/runs" className="filters">
      <FilterSelect name="status" label="Status" value={query.filter.status} choices={lowerCaseChoices(RUN_STATUSES)} />
      <FilterSelect
        name="experiment"
        label="Experiment"
        value={chosen}
        // An experiment older than the list still shows as chosen, by its id.
        choices={[...(known || !chosen ? [] : [{ value: chosen, label: chosen }]), ...experiments.map((experiment) => ({ value: experiment.id, label: experiment.name }))]}
      />
      <button type="submit">Apply</button>
    </form>
  );
}
