/** A table column: what to print for a row, and which side to pad (numbers line up on the right). */
export interface Column<T> {
  header: string;
  value: (row: T) => string | number | boolean | null | undefined;
  align?: "left" | "right";
}

/**
 * Plain aligned columns, two spaces apart, headers in capitals: what `docker ps` and `kubectl get`
 * print, and what `cut`/`awk` users expect. Cells are single-line; absent values print as "-".
 */
export function renderTable<T>(rows: readonly T[], columns: readonly Column<T>[]): string {
  const cells = rows.map((row) => columns.map((column) => cellText(column.value(row))));
  const headers = columns.map((column) => column.header.toUpperCase());
  const widths = columns.map((_, index) => Math.max(headers[index]!.length, ...cells.map((line) => line[index]!.length)));
  const line = (values: string[]) =>
    values
      .map((value, index) => (columns[index]!.align === "right" ? value.padStart(widths[index]!) : value.padEnd(widths[index]!)))
      .join("  ")
      .trimEnd();
  return [line(headers), ...cells.map(line)].join("\n") + "\n";
}

function cellText(value: string | number | boolean | null | undefined): string {
  if (value === null || value === undefined || value === "") return "-";
  if (typeof value === "boolean") return value ? "yes" : "no";
  return String(value).replace(/\s+/g, " ");
}

/** `--json`: one JSON document on stdout, for jq and scripts. */
export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

/** An ISO timestamp as "2026-11-28 15:07" in UTC: sortable, and the same on every machine. */
export function formatTime(iso: string | null | undefined): string | undefined {
  if (!iso) return undefined;
  return iso.replace("T", " ").slice(0, 16);
}
