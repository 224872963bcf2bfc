import { MODEL_ROLES, type ModelsQuery } from "../lib/models-query";

/** A GET form: the filters live in the URL. */
export function ModelFilters({ query }: { query: ModelsQuery }) {
  return (
    <form method="get" action="/models" className="filters">
      <div className="field">
        <label htmlFor="role">Role</label>
        <select id="role" name="role" defaultValue={query.role ?? ""}>
          <option value="">Any</option>
          {MODEL_ROLES.map((role) => (
            <option key={role} value={role}>
              {role.toLowerCase()}
            </option>
          ))}
        </select>
      </div>
      <div className="field">
        <label htmlFor="name">Name contains</label>
        <input id="name" name="name" type="search" defaultValue={query.name ?? ""} />
      </div>
      <button type="submit">Apply</button>
    </form>
  );
}
