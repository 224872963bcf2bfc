import type { EntityManager } from "typeorm";
import { DomainError, METRIC_KEY, type MetricPoint } from "@distillery/domain";
import type { Database } from "../../db/database";
import { downsampleSql } from "./downsample-sql";

export const MAX_POINTS_PER_BATCH = 10_000;

export interface StoredPoint {
  step: number;
  value: number;
  time: Date;
}

export interface Series {
  key: string;
  totalPoints: number;
  points: StoredPoint[];
}

export interface IngestResult {
  /** Points actually stored: replays and points already present count zero. */
  accepted: number;
  /** The batch id was seen before: nothing was stored. */
  duplicate: boolean;
  /** The stored points, with the time the server filled in where the runner sent none. */
  stored: Array<Required<MetricPoint>>;
}

export function validatePoints(points: readonly MetricPoint[]): void {
  if (points.length > MAX_POINTS_PER_BATCH) {
    throw new DomainError("INVALID_ARGUMENT", `At most ${MAX_POINTS_PER_BATCH} points per batch, got ${points.length}`, { field: "points" });
  }
  for (const point of points) {
    if (!METRIC_KEY.test(point.key)) {
      throw new DomainError("INVALID_ARGUMENT", `Metric key "${point.key}" must match ${METRIC_KEY.source}`, { field: "points.key" });
    }
    if (!Number.isSafeInteger(point.step) || point.step < 0) {
      throw new DomainError("INVALID_ARGUMENT", `Metric step must be a non-negative integer, got ${point.step}`, { field: "points.step" });
    }
    if (!Number.isFinite(point.value)) {
      throw new DomainError("INVALID_ARGUMENT", `Metric value must be finite, got ${point.value}`, { field: "points.value" });
    }
  }
}

/**
 * Stores a batch once: the batch id is recorded in the same transaction as the points, and each
 * point is unique per (run, key, step), so a replayed batch or a re-run step adds nothing.
 * `metric_latest` keeps each key's newest point and count, so summaries never scan the curve.
 */
export async function ingestMetrics(
  manager: EntityManager,
  runId: string,
  batchId: string,
  points: readonly MetricPoint[],
): Promise<IngestResult> {
  const fresh: unknown[] = await manager.query(
    `WITH marked AS (INSERT INTO metric_batch (run_id, batch_id) VALUES ($1, $2) ON CONFLICT DO NOTHING RETURNING 1) SELECT * FROM marked`,
    [runId, batchId],
  );
  if (fresh.length === 0) return { accepted: 0, duplicate: true, stored: [] };
  if (points.length === 0) return { accepted: 0, duplicate: false, stored: [] };
  const now = new Date().toISOString();
  const rows: Array<{ key: string; step: string | number; value: number; time: Date }> = await manager.query(
    `WITH inserted AS (
       INSERT INTO metric_point (run_id, key, step, value, time)
       SELECT $1, p.key, p.step, p.value, p.time
         FROM unnest($2::text[], $3::bigint[], $4::float8[], $5::timestamptz[]) AS p(key, step, value, time)
       ON CONFLICT DO NOTHING
       RETURNING key, step, value, time
     ),
     newest AS (SELECT DISTINCT ON (key) key, step, value FROM inserted ORDER BY key, step DESC),
     counts AS (SELECT key, count(*) AS added FROM inserted GROUP BY key),
     summary AS (
       INSERT INTO metric_latest (run_id, key, step, value, point_count)
       SELECT $1, newest.key, newest.step, newest.value, counts.added FROM newest JOIN counts USING (key)
       ON CONFLICT (run_id, key) DO UPDATE SET
         point_count = metric_latest.point_count + excluded.point_count,
         value = CASE WHEN excluded.step >= metric_latest.step THEN excluded.value ELSE metric_latest.value END,
         step = GREATEST(excluded.step, metric_latest.step)
       RETURNING 1
     )
     SELECT key, step, value, time FROM inserted`,
    [runId, points.map((p) => p.key), points.map((p) => p.step), points.map((p) => p.value), points.map((p) => p.time ?? now)],
  );
  const stored = rows.map((row) => ({ key: row.key, step: Number(row.step), value: row.value, time: new Date(row.time).toISOString() }));
  return { accepted: stored.length, duplicate: false, stored };
}

export class MetricService {
  constructor(private readonly db: Database) {}

  /** Each key's newest value, by run: the run summary. */
  async latestByRunIds(runIds: readonly string[]): Promise<Array<{ runId: string; key: string; step: number; value: number; count: number }>> {
    const rows: Array<{ run_id: string; key: string; step: string; value: number; point_count: string }> = await this.db.read((manager) =>
      manager.query(`SELECT run_id, key, step, value, point_count FROM metric_latest WHERE run_id = ANY($1::uuid[]) ORDER BY key`, [[...runIds]]),
    );
    return rows.map((row) => ({ runId: row.run_id, key: row.key, step: Number(row.step), value: row.value, count: Number(row.point_count) }));
  }

  /** Points of each key in step order, at most `maxPoints` per key. */
  async series(runId: string, keys: readonly string[] | null, maxPoints: number): Promise<Series[]> {
    if (!Number.isInteger(maxPoints) || maxPoints < 4 || maxPoints > 20_000) {
      throw new DomainError("INVALID_ARGUMENT", "maxPoints must be between 4 and 20000", { field: "maxPoints" });
    }
    const latest = (await this.latestByRunIds([runId])).filter((row) => keys === null || keys.includes(row.key));
    const series: Series[] = [];
    for (const { key, count } of latest) {
      const rows: Array<{ step: string; value: number; time: Date }> = await this.db.read((manager) =>
        count <= maxPoints
          ? manager.query(`SELECT step, value, time FROM metric_point WHERE run_id = $1 AND key = $2 ORDER BY step`, [runId, key])
          : manager.query(downsampleSql, [runId, key, Math.floor((maxPoints - 2) / 2)]),
      );
      series.push({ key, totalPoints: count, points: rows.map((row) => ({ step: Number(row.step), value: row.value, time: new Date(row.time) })) });
    }
    return series;
  }
}
