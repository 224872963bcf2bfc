import type { ExperimentsQuery } from "../lib/run-query";
import { EXPERIMENT_KINDS } from "../lib/run-operations";
import { FilterSelect, FilterText, lowerCaseChoices } from "./filter-fields";

/** A GET form: kind, name and tag filters live in the URL. */
export function ExperimentFilters({ query }: { query: ExperimentsQuery }) {
  return (
    <form method="get" action="/experiments" className="filters">
      <FilterSelect name="kind" label="Kind" value={query.filter.kind} choices={lowerCaseChoices(EXPERIMENT_KINDS)} />
      <FilterText name="name" label="Name contains" value={query.filter.nameContains} search />
      <FilterText name="tag" label="Tag" value={query.filter.tag} />
      <button type="submit">Apply</button>
    </form>
  );
}
