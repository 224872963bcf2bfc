import Link from "next/link";
import { formatBytes, formatCount, formatMiB } from "../lib/format";
import { leaderboardHref, type LeaderboardQuery } from "../lib/leaderboard-query";
import type { LeaderboardRow, Order } from "../lib/operations";

interface Column {
  label: string;
  order?: Order;
  cell: (row: LeaderboardRow) => string;
  /** Where the cell links to, if anywhere. */
  href?: (row: LeaderboardRow) => string;
  numeric?: boolean;
}

/** name@v<N> -> the version's page. */
function versionPage(row: LeaderboardRow): string {
  const [name, version] = row.version.ref.split("@v");
  return `/models/${encodeURIComponent(name!)}/versions/${version}`;
}

const COLUMNS: Column[] = [
  { label: "Version", cell: (row) => row.version.ref, href: versionPage },
  { label: "Role", cell: (row) => row.version.model.role.toLowerCase() },
  { label: "Precision", cell: (row) => row.version.precision },
  { label: "FID", order: "FID", numeric: true, cell: (row) => row.fid.toFixed(2) },
  { label: "Latency p50 (ms)", order: "LATENCY_P50", numeric: true, cell: (row) => row.latencyP50Ms.toFixed(1) },
  { label: "p95 (ms)", numeric: true, cell: (row) => row.latencyP95Ms.toFixed(1) },
  { label: "Images/s", numeric: true, cell: (row) => row.throughput.toFixed(1) },
  { label: "Peak memory (MiB)", order: "PEAK_MEMORY", numeric: true, cell: (row) => formatMiB(row.peakMemoryBytes) },
  { label: "Params", order: "PARAMS", numeric: true, cell: (row) => formatCount(row.params) },
  { label: "Size", order: "SIZE", numeric: true, cell: (row) => formatBytes(row.sizeBytes) },
  { label: "Dominated", cell: (row) => (row.dominated ? "yes" : "no") },
];

function SortHeader({ column, query }: { column: Column & { order: Order }; query: LeaderboardQuery }) {
  const sorted = query.orderBy === column.order;
  const href = leaderboardHref({ ...query, orderBy: column.order, descending: sorted ? !query.descending : false, after: null });
  const arrow = sorted ? (query.descending ? " ▼" : " ▲") : "";
  return (
    <th scope="col" className="numeric" aria-sort={sorted ? (query.descending ? "descending" : "ascending") : undefined}>
      {/* A client-side navigation: the new order's rows arrive without reloading the page. Not
          prefetched: each order would cost the API a leaderboard query on every page view. */}
      <Link href={href} prefetch={false}>
        {column.label}
        {arrow}
      </Link>
    </th>
  );
}

export function LeaderboardTable({ rows, query }: { rows: LeaderboardRow[]; query: LeaderboardQuery }) {
  return (
    <table className="leaderboard">
      <thead>
        <tr>
          {COLUMNS.map((column) =>
            column.order ? (
              <SortHeader key={column.label} column={{ ...column, order: column.order }} query={query} />
            ) : (
              <th key={column.label} scope="col" className={column.numeric ? "numeric" : undefined}>
                {column.label}
              </th>
            ),
          )}
        </tr>
      </thead>
      <tbody>
        {rows.map((row) => (
          <tr key={row.version.ref} className={row.dominated ? "dominated" : undefined}>
            {COLUMNS.map((column) => (
              <td key={column.label} className={column.numeric ? "numeric" : undefined}>
                {column.href ? (
                  <Link href={column.href(row)} prefetch={false}>
                    {column.cell(row)}
                  </Link>
                ) : (
                  column.cell(row)
                )}
              </td>
            ))}
          </tr>
        ))}
      </tbody>
    </table>
  );
}
