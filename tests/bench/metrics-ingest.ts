/**
 * Metric ingest benchmark: points/s through the real API against what PostgreSQL itself takes.
 *
 * One COMMAND experiment, two runs leased by one runner. BENCH_POINTS points (default 200,000)
 * over BENCH_KEYS keys (default 4; point i is key i % keys at step i / keys, as a training loop
 * logs them) are sent as `logMetrics` calls of BENCH_BATCH points (default 1,000) over HTTP:
 *   - API sequential: one request at a time (run A);
 *   - API xC: BENCH_SENDERS concurrent senders (default 4) sharing the batches (run B).
 * For diagnosis, the API's own ingest statements (ingestMetrics from the built API, in one
 * transaction per batch with the lease check) run on a direct connection, one batch at a time:
 * the database's share of the sequential API time.
 * Then the same rows go straight into metric_point on a direct pg connection (run A, its points
 * deleted first), with no API and no bookkeeping (metric_latest / metric_batch):
 *   - raw COPY: `COPY metric_point (…) FROM STDIN` through pg-copy-streams when it is installed,
 *     otherwise through `psql` when it is on PATH (includes starting psql, ~10-30 ms);
 *   - raw INSERT … unnest: BENCH_RAW_CHUNK-row chunks (default 10,000) of
 *     `INSERT … SELECT FROM unnest($1::text[], $2::bigint[], $3::float8[], $4::timestamptz[])`.
 * BENCH_WARMUP_BATCHES batches (default 5) are sent first, untimed, to warm the server up.
 * metric_point, metric_latest and metric_batch are truncated before each phase, so each starts
 * on an empty table. Request bodies and raw rows are built before the clock starts. Every phase
 * is checked: each batch accepted in full, and count(*) of the run's points = BENCH_POINTS.
 *
 * Runs against a fresh database `distillery_bench_<random>` on BENCH_DATABASE_URL's server
 * (default postgres://postgres@127.0.0.1:5432/test), dropped at the end, also on error.
 *
 * Run:  npm run bench:metrics-ingest                       (builds first)
 *       BENCH_POINTS=20000 npm run bench:metrics-ingest    (quick run)
 */
import { spawn, spawnSync } from "node:child_process";
import { performance } from "node:perf_hooks";
import type { Client } from "pg";
import type { EntityManager } from "typeorm";
import { ingestMetrics } from "@distillery/api/dist/modules/metric/metric.service";
import { startBenchPlatform } from "./support/bench-platform";
import { benchDatabaseUrl, redactUrl } from "./support/database";
import {
  acquire,
  createCommandExperiment,
  createToken,
  GraphQLClient,
  launch,
  LOG_METRICS,
  registerRunner,
  type Lease,
} from "./support/graphql";
import { runBench } from "./support/harness";
import { fmtInt, fmtMs, fmtRatio, printParameters, printTable, positiveIntEnv, summarize } from "./support/stats";

const KEY_NAMES = ["loss", "lr", "grad_norm", "val_loss", "kl", "fid", "clip_score", "throughput"];

interface Point {
  key: string;
  step: number;
  value: number;
  time: string;
}

interface Phase {
  label: string;
  ms: number;
  latencies?: number[];
}

function makePoints(count: number, keys: number, t0: number): Point[] {
  const points: Point[] = new Array(count);
  for (let i = 0; i < count; i++) {
    const step = Math.floor(i / keys);
    const k = i % keys;
    const value = 1 / (1 + step / 1000) + k + ((i * 7919) % 1000) * 1e-6;
    points[i] = { key: KEY_NAMES[k]!, step, value, time: new Date(t0 + step * 10).toISOString() };
  }
  return points;
}

/** One serialized logMetrics request per batch, for one lease. */
function makeBodies(points: readonly Point[], batch: number, lease: Lease, tag: string): string[] {
  const bodies: string[] = [];
  for (let i = 0; i < points.length; i += batch) {
    bodies.push(
      GraphQLClient.body(LOG_METRICS, {
        job: lease.job.id,
        lease: lease.leaseId,
        batch: `${tag}-${i / batch}`,
        points: points.slice(i, i + batch),
      }),
    );
  }
  return bodies;
}

/** Sends all bodies with `senders` concurrent loops; returns wall ms and per-request latencies. */
async function sendAll(client: GraphQLClient, bodies: readonly string[], sizes: readonly number[], senders: number) {
  let next = 0;
  const latencies: number[] = [];
  const sender = async () => {
    for (;;) {
      const i = next++;
      if (i >= bodies.length) return;
      const t = performance.now();
      const data = await client.send<{ logMetrics: { accepted: number; duplicate: boolean } }>(bodies[i]!);
      latencies.push(performance.now() - t);
      const { accepted, duplicate } = data.logMetrics;
      if (duplicate || accepted !== sizes[i]) {
        throw new Error(`batch ${i}: accepted ${accepted} of ${sizes[i]} points (duplicate: ${duplicate})`);
      }
    }
  };
  const t0 = performance.now();
  await Promise.all(Array.from({ length: senders }, sender));
  return { ms: performance.now() - t0, latencies };
}

async function truncateMetrics(pg: Client): Promise<void> {
  await pg.query(`TRUNCATE metric_point, metric_latest, metric_batch`);
}

async function expectStored(pg: Client, runId: string, expected: number, label: string): Promise<void> {
  const { rows } = await pg.query<{ n: string }>(`SELECT count(*) AS n FROM metric_point WHERE run_id = $1`, [runId]);
  const n = Number(rows[0]!.n);
  if (n !== expected) throw new Error(`${label}: ${n} points stored for the run, expected ${expected}`);
}

/**
 * The API's own ingest statements (ingestMetrics from the built API, plus the lease check's
 * SELECT … FOR SHARE, in one transaction per batch as JobLeaseService.logMetrics runs them) on a
 * direct connection, one batch at a time: what logMetrics costs in the database alone.
 */
async function apiSqlAlone(pg: Client, runId: string, jobId: string, points: readonly Point[], batch: number): Promise<number> {
  const manager = { query: async (sql: string, params?: unknown[]) => (await pg.query(sql, params)).rows } as unknown as EntityManager;
  const batches: Point[][] = [];
  for (let i = 0; i < points.length; i += batch) batches.push(points.slice(i, i + batch));
  const t0 = performance.now();
  for (const [i, b] of batches.entries()) {
    await pg.query("BEGIN");
    await pg.query(`SELECT * FROM job WHERE id = $1 FOR SHARE`, [jobId]);
    const result = await ingestMetrics(manager, runId, `sql-${i}`, b);
    await pg.query("COMMIT");
    if (result.accepted !== b.length) throw new Error(`ingest SQL alone: batch ${i} stored ${result.accepted} of ${b.length} points`);
  }
  return performance.now() - t0;
}

async function rawUnnest(pg: Client, runId: string, points: readonly Point[], chunk: number): Promise<number> {
  const chunks: Array<[string[], number[], number[], string[]]> = [];
  for (let i = 0; i < points.length; i += chunk) {
    const slice = points.slice(i, i + chunk);
    chunks.push([slice.map((p) => p.key), slice.map((p) => p.step), slice.map((p) => p.value), slice.map((p) => p.time)]);
  }
  const sql = `INSERT INTO metric_point (run_id, key, step, value, time)
               SELECT $1, p.key, p.step, p.value, p.time
                 FROM unnest($2::text[], $3::bigint[], $4::float8[], $5::timestamptz[]) AS p(key, step, value, time)`;
  const t0 = performance.now();
  for (const [keys, steps, values, times] of chunks) await pg.query(sql, [runId, keys, steps, values, times]);
  return performance.now() - t0;
}

function copyText(runId: string, points: readonly Point[]): string {
  return points.map((p) => `${runId}\t${p.key}\t${p.step}\t${p.value}\t${p.time}\n`).join("");
}

const COPY_SQL = `COPY metric_point (run_id, key, step, value, time) FROM STDIN`;

/** pg-copy-streams, when installed (it is not a dependency of this repository yet). */
function loadCopyStreams(): { from(sql: string): NodeJS.WritableStream } | null {
  try {
    return require("pg-copy-streams") as { from(sql: string): NodeJS.WritableStream };
  } catch {
    return null;
  }
}

async function rawCopyStreams(pg: Client, copyFrom: (sql: string) => NodeJS.WritableStream, text: string): Promise<number> {
  const t0 = performance.now();
  await new Promise<void>((resolve, reject) => {
    const stream = (pg as unknown as { query(s: unknown): NodeJS.WritableStream }).query(copyFrom(COPY_SQL));
    stream.on("error", reject);
    stream.on("finish", () => resolve());
    stream.end(text);
  });
  return performance.now() - t0;
}

function psqlAvailable(): boolean {
  return spawnSync("psql", ["--version"], { stdio: "ignore" }).status === 0;
}

/** Pipes the rows into `psql -c 'COPY … FROM STDIN'`; wall time includes starting psql. */
function rawCopyPsql(url: string, text: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn("psql", ["-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", url, "-c", COPY_SQL], { stdio: ["pipe", "ignore", "pipe"] });
    let err = "";
    child.stderr.setEncoding("utf8").on("data", (s: string) => (err += s));
    child.on("error", reject);
    child.on("close", (code) => (code === 0 ? resolve(performance.now() - t0) : reject(new Error(`psql COPY exited with ${code}: ${err.trim()}`))));
    child.stdin.on("error", reject);
    child.stdin.end(text);
  });
}

async function main(): Promise<void> {
  const total = positiveIntEnv("BENCH_POINTS", 200_000);
  const keys = positiveIntEnv("BENCH_KEYS", 4);
  const batch = positiveIntEnv("BENCH_BATCH", 1_000);
  const senders = positiveIntEnv("BENCH_SENDERS", 4);
  const rawChunk = positiveIntEnv("BENCH_RAW_CHUNK", 10_000);
  const warmupBatches = positiveIntEnv("BENCH_WARMUP_BATCHES", 5);
  if (keys > KEY_NAMES.length) throw new Error(`BENCH_KEYS must be at most ${KEY_NAMES.length}`);
  if (batch > 10_000) throw new Error("BENCH_BATCH must be at most 10000 (the API's limit per logMetrics call)");
  const baseUrl = benchDatabaseUrl();

  await runBench("metrics-ingest", async (ctx) => {
    console.log(`metrics-ingest: ${fmtInt(total)} points, ${keys} keys, batches of ${fmtInt(batch)}, ${senders} concurrent senders`);
    printParameters("metrics-ingest", [
      ["BENCH_POINTS", total],
      ["BENCH_KEYS", keys],
      ["BENCH_BATCH", batch],
      ["BENCH_SENDERS", senders],
      ["BENCH_RAW_CHUNK", rawChunk],
      ["BENCH_WARMUP_BATCHES", warmupBatches],
      ["BENCH_DATABASE_URL", redactUrl(baseUrl)],
    ]);
    const { db, admin, pg } = await startBenchPlatform(ctx, baseUrl);

    const experiment = await createCommandExperiment(admin);
    const runA = await launch(admin, experiment);
    const runB = await launch(admin, experiment);
    const runner = await registerRunner(admin.withToken(await createToken(admin, ["RUNNER"])));
    const leases = [await acquire(runner), await acquire(runner)];
    const leaseA = leases.find((l) => l?.run.id === runA);
    const leaseB = leases.find((l) => l?.run.id === runB);
    if (!leaseA || !leaseB) throw new Error(`could not lease both runs: got ${JSON.stringify(leases)}`);

    const points = makePoints(total, keys, Date.now() - 3_600_000);
    const sizes = Array.from({ length: Math.ceil(total / batch) }, (_, i) => Math.min(batch, total - i * batch));
    const phases: Phase[] = [];

    // Warm-up (JIT, prepared plans, connection pool), not timed.
    const warm = makeBodies(points.slice(0, Math.min(total, warmupBatches * batch)), batch, leaseB, "warm");
    await sendAll(runner.client, warm, sizes, Math.min(senders, warm.length));

    // API, one request at a time.
    await truncateMetrics(pg);
    let bodies = makeBodies(points, batch, leaseA, "seq");
    process.stdout.write(`API sequential: ${bodies.length} requests ... `);
    const seq = await sendAll(runner.client, bodies, sizes, 1);
    await expectStored(pg, runA, total, "API sequential");
    console.log(`${(seq.ms / 1000).toFixed(2)} s`);
    phases.push({ label: "API logMetrics, sequential", ...seq });

    // API, concurrent senders.
    await truncateMetrics(pg);
    bodies = makeBodies(points, batch, leaseB, "par");
    process.stdout.write(`API x${senders}: ${bodies.length} requests ... `);
    const par = await sendAll(runner.client, bodies, sizes, senders);
    await expectStored(pg, runB, total, `API x${senders}`);
    console.log(`${(par.ms / 1000).toFixed(2)} s`);
    phases.push({ label: `API logMetrics, ${senders} concurrent`, ...par });

    // The API's ingest SQL without the API (diagnosis: database share of the API's time).
    await truncateMetrics(pg);
    const sqlLabel = `API ingest SQL alone, direct pg, sequential`;
    process.stdout.write(`${sqlLabel} ... `);
    const sqlMs = await apiSqlAlone(pg, runA, leaseA.job.id, points, batch);
    await expectStored(pg, runA, total, sqlLabel);
    console.log(`${(sqlMs / 1000).toFixed(2)} s`);
    phases.push({ label: sqlLabel, ms: sqlMs });

    // Raw COPY (pg-copy-streams, else psql).
    const copyStreams = loadCopyStreams();
    const text = copyText(runA, points);
    let copyLabel: string | null = null;
    if (copyStreams !== null || psqlAvailable()) {
      copyLabel = copyStreams !== null ? "raw COPY FROM STDIN (pg-copy-streams)" : "raw COPY FROM STDIN (psql)";
      await truncateMetrics(pg);
      process.stdout.write(`${copyLabel} ... `);
      const ms = copyStreams !== null ? await rawCopyStreams(pg, copyStreams.from.bind(copyStreams), text) : await rawCopyPsql(db.url, text);
      await expectStored(pg, runA, total, copyLabel);
      console.log(`${(ms / 1000).toFixed(2)} s`);
      phases.push({ label: copyLabel, ms });
    } else {
      console.log("raw COPY: skipped (neither pg-copy-streams nor psql is available)");
    }

    // Raw INSERT … SELECT FROM unnest.
    await truncateMetrics(pg);
    const unnestLabel = `raw INSERT … unnest, ${fmtInt(rawChunk)}-row chunks`;
    process.stdout.write(`${unnestLabel} ... `);
    const unnestMs = await rawUnnest(pg, runA, points, rawChunk);
    await expectStored(pg, runA, total, unnestLabel);
    console.log(`${(unnestMs / 1000).toFixed(2)} s`);
    phases.push({ label: unnestLabel, ms: unnestMs });

    const rate = (ms: number) => total / (ms / 1000);
    const copyRate = copyLabel !== null ? rate(phases.find((p) => p.label === copyLabel)!.ms) : Number.NaN;
    const unnestRate = rate(unnestMs);
    console.log("");
    printTable(
      ["path", "points/s", "wall", "request p50", "request p95", "vs COPY", "vs unnest"],
      phases.map((p) => {
        const s = p.latencies ? summarize(p.latencies) : null;
        return [
          p.label,
          fmtInt(rate(p.ms)),
          `${(p.ms / 1000).toFixed(2)} s`,
          s ? fmtMs(s.p50) : "",
          s ? fmtMs(s.p95) : "",
          fmtRatio(rate(p.ms) / copyRate),
          fmtRatio(rate(p.ms) / unnestRate),
        ];
      }),
    );
    console.log(
      `\n${fmtInt(total)} points per path; API rows also maintain metric_latest and metric_batch, raw rows do not.` +
        (copyStreams === null ? "\npg-copy-streams is not installed: COPY goes through psql (its start-up time included)." : ""),
    );
  });
}

main().catch((e: unknown) => {
  console.error(`metrics-ingest failed: ${e instanceof Error ? e.message : String(e)}`);
  process.exitCode = 1;
});
