import { MODEL_ROLES, type ModelsQuery } from "../lib/models-query";
import { FilterSelect, FilterText, lowerCaseChoices } from "./filter-fields";

/** A GET form: the filters live in the URL. */
export function ModelFilters({ query }: { query: ModelsQuery }) {
  return (
    <form method="get" action="/models" className="filters">
      <FilterSelect name="role" label="Role" value={query.role} choices={lowerCaseChoices(MODEL_ROLES)} />
      <FilterText name="name" label="Name contains" value={query.name} search />
      <button type="submit">Apply</button>
    </form>
  );
}
