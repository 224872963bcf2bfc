/**
 * Metric read benchmark: how long the API takes to serve a long curve, downsampled, against a
 * full scan of that curve by PostgreSQL.
 *
 * One run (COMMAND experiment launched through the API) gets a BENCH_READ_POINTS-point curve
 * (default 1,000,000) for the key "loss", written straight into metric_point with
 * generate_series, plus its metric_latest row (newest step and value, point_count) — the API
 * reads point_count from metric_latest to decide whether to downsample. The table is then
 * VACUUM ANALYZEd (the steady state autovacuum would reach).
 *
 *   - API: `run(id) { metrics(keys: ["loss"], maxPoints: BENCH_MAX_POINTS) { key totalPoints
 *     points { step value } } }` over HTTP, BENCH_WARMUPS untimed (default 3), then
 *     BENCH_ITERATIONS timed (default 30), one at a time: p50 / p95 / max;
 *   - reference: `SELECT count(*), min(value), max(value) FROM metric_point WHERE run_id = $1
 *     AND key = 'loss'` (a full scan of the curve) on a direct pg connection, 1 untimed +
 *     BENCH_REF_ITERATIONS timed (default 10);
 *   - for diagnosis: the API's own downsampling statement (apps/api downsample-sql) run the same
 *     way on the direct connection, so API time = SQL time + everything else.
 * Ratios are p50 / reference p50. BENCH_EXPLAIN=1 prints EXPLAIN (ANALYZE, BUFFERS) of both.
 *
 * Runs against a fresh database `distillery_bench_<random>` on BENCH_DATABASE_URL's server
 * (default postgres://postgres@127.0.0.1:5432/test), dropped at the end, also on error.
 *
 * Run:  npm run bench:metrics-read                            (builds first)
 *       BENCH_READ_POINTS=100000 npm run bench:metrics-read   (quick run)
 */
import { performance } from "node:perf_hooks";
import type { Client } from "pg";
import { downsampleSql } from "@distillery/api/dist/modules/metric/downsample-sql";
import { startBenchPlatform } from "./support/bench-platform";
import { benchDatabaseUrl, redactUrl } from "./support/database";
import { createCommandExperiment, GraphQLClient, launch } from "./support/graphql";
import { runBench } from "./support/harness";
import { fmtInt, fmtMs, fmtRatio, printParameters, printTable, positiveIntEnv, summarize, type Summary } from "./support/stats";

const KEY = "loss";

const METRICS_QUERY = `query($id: ID!, $maxPoints: Int!) {
  run(id: $id) { metrics(keys: ["${KEY}"], maxPoints: $maxPoints) { key totalPoints points { step value } } }
}`;

const SCAN_SQL = `SELECT count(*), min(value), max(value) FROM metric_point WHERE run_id = $1 AND key = '${KEY}'`;

interface Series {
  key: string;
  totalPoints: number;
  points: Array<{ step: number; value: number }>;
}

/** A decaying loss with a wobble and a few spikes, so min/max downsampling has work to do. */
async function storeCurve(pg: Client, runId: string, count: number): Promise<number> {
  const t0 = performance.now();
  await pg.query(
    `INSERT INTO metric_point (run_id, key, step, value, time)
     SELECT $1, $2, s,
            1.0 / (1 + s / 10000.0) + 0.05 * sin(s / 37.0) + CASE WHEN s % 99991 = 17 THEN 1.0 ELSE 0.0 END,
            now() - interval '1 day' + s * interval '10 ms'
       FROM generate_series(0, $3::bigint - 1) AS s`,
    [runId, KEY, count],
  );
  await pg.query(
    `INSERT INTO metric_latest (run_id, key, step, value, point_count)
     SELECT run_id, key, step, value, $3 FROM metric_point WHERE run_id = $1 AND key = $2 ORDER BY step DESC LIMIT 1`,
    [runId, KEY, count],
  );
  await pg.query(`VACUUM ANALYZE metric_point`);
  return performance.now() - t0;
}

async function timeSql(pg: Client, sql: string, params: unknown[], iterations: number): Promise<{ samples: number[]; rows: number }> {
  let rows = (await pg.query(sql, params)).rowCount ?? 0; // untimed warm-up
  const samples: number[] = [];
  for (let i = 0; i < iterations; i++) {
    const t = performance.now();
    rows = (await pg.query(sql, params)).rowCount ?? 0;
    samples.push(performance.now() - t);
  }
  return { samples, rows };
}

async function explain(pg: Client, label: string, sql: string, params: unknown[]): Promise<void> {
  const { rows } = await pg.query<{ "QUERY PLAN": string }>(`EXPLAIN (ANALYZE, BUFFERS) ${sql}`, params);
  console.log(`\n--- EXPLAIN ANALYZE: ${label} ---`);
  for (const row of rows) console.log(row["QUERY PLAN"]);
}

async function main(): Promise<void> {
  const count = positiveIntEnv("BENCH_READ_POINTS", 1_000_000);
  const maxPoints = positiveIntEnv("BENCH_MAX_POINTS", 2_000);
  const iterations = positiveIntEnv("BENCH_ITERATIONS", 30);
  const warmups = positiveIntEnv("BENCH_WARMUPS", 3);
  const refIterations = positiveIntEnv("BENCH_REF_ITERATIONS", 10);
  const showPlans = process.env["BENCH_EXPLAIN"] === "1";
  const baseUrl = benchDatabaseUrl();

  await runBench("metrics-read", async (ctx) => {
    console.log(`metrics-read: ${fmtInt(count)}-point curve, maxPoints ${maxPoints}, ${iterations} timed queries after ${warmups} warm-ups`);
    printParameters("metrics-read", [
      ["BENCH_READ_POINTS", count],
      ["BENCH_MAX_POINTS", maxPoints],
      ["BENCH_ITERATIONS", iterations],
      ["BENCH_WARMUPS", warmups],
      ["BENCH_REF_ITERATIONS", refIterations],
      ["BENCH_DATABASE_URL", redactUrl(baseUrl)],
    ]);
    const { admin, pg } = await startBenchPlatform(ctx, baseUrl);

    const runId = await launch(admin, await createCommandExperiment(admin));
    process.stdout.write(`storing ${fmtInt(count)} points (generate_series, VACUUM ANALYZE) ... `);
    const storeMs = await storeCurve(pg, runId, count);
    console.log(`${(storeMs / 1000).toFixed(2)} s`);

    const body = GraphQLClient.body(METRICS_QUERY, { id: runId, maxPoints });
    let series: Series | undefined;
    const check = (data: { run: { metrics: Series[] } }): Series => {
      const s = data.run.metrics[0];
      if (data.run.metrics.length !== 1 || s === undefined) throw new Error(`expected one series, got ${data.run.metrics.length}`);
      if (s.totalPoints !== count) throw new Error(`totalPoints ${s.totalPoints}, expected ${count}`);
      if (s.points.length > maxPoints) throw new Error(`${s.points.length} points returned, more than maxPoints ${maxPoints}`);
      const last = s.points[s.points.length - 1];
      if (s.points[0]?.step !== 0 || last?.step !== count - 1) {
        throw new Error(`first/last steps ${s.points[0]?.step}/${last?.step}, expected 0/${count - 1}`);
      }
      return s;
    };

    process.stdout.write(`API: ${warmups} warm-ups + ${iterations} queries ... `);
    for (let i = 0; i < warmups; i++) series = check(await admin.send(body));
    const apiSamples: number[] = [];
    for (let i = 0; i < iterations; i++) {
      const t = performance.now();
      const data = await admin.send<{ run: { metrics: Series[] } }>(body);
      apiSamples.push(performance.now() - t);
      series = check(data);
    }
    console.log("done");

    process.stdout.write(`direct pg: full scan and downsampling SQL, 1 + ${refIterations} each ... `);
    const scan = await timeSql(pg, SCAN_SQL, [runId], refIterations);
    const buckets = Math.floor((maxPoints - 2) / 2); // as MetricService.series
    const down = await timeSql(pg, downsampleSql, [runId, KEY, buckets], refIterations);
    console.log("done");

    const api = summarize(apiSamples);
    const ref = summarize(scan.samples);
    const sql = summarize(down.samples);
    const row = (label: string, s: Summary, points: string): string[] => [
      label,
      fmtMs(s.p50),
      fmtMs(s.p95),
      fmtMs(s.max),
      points,
      fmtRatio(s.p50 / ref.p50),
    ];
    console.log("");
    printTable(
      ["query", "p50", "p95", "max", "points returned", "p50 vs scan"],
      [
        row(`API run.metrics (HTTP, n=${api.count})`, api, fmtInt(series?.points.length ?? Number.NaN)),
        row(`downsampling SQL alone (direct pg, n=${sql.count})`, sql, fmtInt(down.rows)),
        row(`full scan count/min/max (reference, n=${ref.count})`, ref, "1 row"),
      ],
    );
    console.log(`\ncurve: ${fmtInt(count)} points of "${KEY}", maxPoints ${maxPoints} (${buckets} min/max buckets)`);

    if (showPlans) {
      await explain(pg, "full scan", SCAN_SQL, [runId]);
      await explain(pg, "downsampling SQL", downsampleSql, [runId, KEY, buckets]);
    }
  });
}

main().catch((e: unknown) => {
  console.error(`metrics-read failed: ${e instanceof Error ? e.message : String(e)}`);
  process.exitCode = 1;
});
