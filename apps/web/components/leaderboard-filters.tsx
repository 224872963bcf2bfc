import type { LeaderboardQuery } from "../lib/leaderboard-query";
import { PRECISIONS, ROLES } from "../lib/leaderboard-query";
import type { Protocol } from "../lib/operations";
import { FilterSelect, FilterText, lowerCaseChoices } from "./filter-fields";

function describe(protocol: Protocol): string {
  return `${protocol.key.slice(0, 12)} — ${protocol.dataset}, ${protocol.sampler} ${protocol.steps} steps, ${protocol.samples} samples at ${protocol.resolution}px on ${protocol.hardware} (${protocol.evaluationCount} versions)`;
}

/** A GET form: the protocol and the filters live in the URL. */
export function LeaderboardFilters({ protocols, protocol, query }: { protocols: Protocol[]; protocol: string; query: LeaderboardQuery }) {
  return (
    <form method="get" action="/leaderboard" className="filters">
      <div className="field wide">
        <label htmlFor="protocol">Protocol</label>
        <select id="protocol" name="protocol" defaultValue={protocol}>
          {protocols.map((candidate) => (
            <option key={candidate.key} value={candidate.key}>
              {describe(candidate)}
            </option>
          ))}
        </select>
      </div>
      <FilterSelect name="role" label="Role" value={query.filter.role} choices={lowerCaseChoices(ROLES)} />
      <FilterText name="family" label="Family" value={query.filter.family} />
      <FilterSelect name="precision" label="Precision" value={query.filter.precision} choices={PRECISIONS.map((precision) => ({ value: precision, label: precision }))} />
      <div className="field checkbox">
        <input id="pareto" name="pareto" type="checkbox" value="1" defaultChecked={query.pareto} />
        <label htmlFor="pareto">Pareto front only</label>
      </div>
      {query.orderBy !== "FID" ? <input type="hidden" name="orderBy" value={query.orderBy} /> : null}
      {query.descending ? <input type="hidden" name="desc" value="1" /> : null}
      <button type="submit">Apply</button>
    </form>
  );
}
