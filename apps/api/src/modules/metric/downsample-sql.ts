/**
 * Min/max downsampling in the database: the key's steps are cut into `$3` equal-width buckets,
 * and each bucket keeps the points holding its minimum and its maximum value (spikes survive,
 * unlike averaging); the first and last points are always kept. At most 2 * $3 + 2 rows.
 * Parameters: $1 run id, $2 key, $3 bucket count. Two hash-aggregated passes over the key's
 * points, no sort of the whole curve.
 */
export const downsampleSql = `
WITH bounds AS (
  SELECT min(step) AS lo, max(step) AS hi FROM metric_point WHERE run_id = $1 AND key = $2
),
bucketed AS (
  SELECT p.step, p.value, p.time,
         width_bucket(p.step, b.lo, b.hi + 1, $3::int) AS bucket
    FROM metric_point p, bounds b
   WHERE p.run_id = $1 AND p.key = $2
),
extremes AS (
  SELECT bucket, min(value) AS low, max(value) AS high FROM bucketed GROUP BY bucket
),
chosen AS (
  SELECT DISTINCT ON (x.bucket, x.value) x.step, x.value, x.time
    FROM bucketed x JOIN extremes e ON e.bucket = x.bucket AND (x.value = e.low OR x.value = e.high)
   ORDER BY x.bucket, x.value, x.step
)
SELECT step, value, time FROM chosen
UNION
SELECT p.step, p.value, p.time FROM metric_point p, bounds b
 WHERE p.run_id = $1 AND p.key = $2 AND p.step IN (b.lo, b.hi)
ORDER BY step`;
