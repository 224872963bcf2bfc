import type { DataSource } from "typeorm";

/**
 * A plain-text description of the live schema (columns, constraints, indexes), stable across
 * PostgreSQL and PGlite, so it can be compared with the committed migrations/schema.snapshot.txt.
 */
export async function dumpSchema(dataSource: DataSource): Promise<string> {
  const columns: Array<Record<string, string | null>> = await dataSource.query(
    `SELECT table_name, column_name, udt_name, is_nullable, column_default, is_identity
       FROM information_schema.columns WHERE table_schema = 'public'
      ORDER BY table_name, column_name`,
  );
  // NOT NULL lives in the column lines: PostgreSQL 17 (PGlite) also lists it in pg_constraint, 15 does not.
  const constraints: Array<Record<string, string>> = await dataSource.query(
    `SELECT conrelid::regclass::text AS table_name, conname, pg_get_constraintdef(oid) AS definition
       FROM pg_constraint WHERE connamespace = 'public'::regnamespace AND contype <> 'n'
      ORDER BY 1, 2`,
  );
  const indexes: Array<Record<string, string>> = await dataSource.query(
    `SELECT tablename, indexname, indexdef FROM pg_indexes WHERE schemaname = 'public' ORDER BY 1, 2`,
  );
  const lines = [
    ...columns.map(
      (c) =>
        `column ${c.table_name}.${c.column_name} ${c.udt_name}${c.is_nullable === "NO" ? " not null" : ""}` +
        `${c.column_default ? ` default ${c.column_default}` : ""}${c.is_identity === "YES" ? " identity" : ""}`,
    ),
    ...constraints.map((c) => `constraint ${c.table_name}.${c.conname} ${c.definition}`),
    ...indexes.map((i) => `index ${i.tablename}.${i.indexname} ${i.indexdef}`),
  ];
  return `${lines.join("\n")}\n`;
}
