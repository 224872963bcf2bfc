import type { EntityManager, ObjectLiteral, SelectQueryBuilder } from "typeorm";
import { DomainError, isUuid } from "@distillery/domain";

/**
 * Keyset paging newest first on (created_at, id). The cursor is the last row's id and the
 * comparison happens in SQL: a JavaScript Date would drop created_at's microseconds and skip
 * rows created within the same millisecond.
 */
export async function newestFirstAfter<T extends ObjectLiteral>(
  manager: EntityManager,
  query: SelectQueryBuilder<T>,
  alias: string,
  table: string,
  after: string | undefined,
): Promise<SelectQueryBuilder<T>> {
  if (after !== undefined) {
    const known: unknown[] = isUuid(after) ? await manager.query(`SELECT 1 FROM ${table} WHERE id = $1`, [after]) : [];
    if (known.length === 0) throw new DomainError("INVALID_CURSOR", "Not a cursor this list handed out", {});
    query.andWhere(`(${alias}.created_at, ${alias}.id) < (SELECT c.created_at, c.id FROM ${table} c WHERE c.id = :after)`, { after });
  }
  return query.orderBy(`${alias}.created_at`, "DESC").addOrderBy(`${alias}.id`, "DESC");
}
