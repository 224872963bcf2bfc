/**
 * Job lease benchmark: leases/s with many runners racing for one queue, against the bare claim
 * statement run by as many direct PostgreSQL connections.
 *
 *   - BENCH_JOBS queued jobs (default 2,000) of one COMMAND experiment: the first launched
 *     through the API (launchExperiment), the others inserted in one statement as copies of it
 *     (run rows numbered after it, job rows with its requirements, state 'queued', attempt 0,
 *     created_at 1 µs apart so the queue order is the insertion order), as RunService.launch
 *     would have written them;
 *   - BENCH_RUNNERS runners (default 50) registered through the API (one RUNNER token), then one
 *     loop per runner calling `acquireJob(runner, waitSeconds: 0)` over HTTP until it answers
 *     null: leases/s over the whole drain, p50/p95 latency of the calls that got a job;
 *   - checked in the database: every job leased exactly once (all 'leased', attempt = 1, as many
 *     distinct lease ids as jobs, none still queued), and the runners saw each job once;
 *   - reference: a second batch of BENCH_JOBS jobs (a second experiment, same copies) drained by
 *     BENCH_RAW_CONNECTIONS direct pg connections (default = BENCH_RUNNERS), each looping on the
 *     claim statement of claimJob (apps/api/src/modules/run/job-queue.ts; copied here, and
 *     checked against the built API at start) as one autocommit statement until it claims
 *     nothing; checked the same way. The ratio is API leases/s over raw leases/s.
 *
 * The API's connection pool holds 10 connections, so at most 10 of the 50 API-side claims run
 * at once; the raw reference has all its connections in flight.
 *
 * Runs against a fresh database `distillery_bench_<random>` on BENCH_DATABASE_URL's server
 * (default postgres://postgres@127.0.0.1:5432/test), dropped at the end, also on error.
 *
 * Run:  npm run bench:lease                    (builds first)
 *       BENCH_JOBS=200 npm run bench:lease     (quick run)
 */
import { performance } from "node:perf_hooks";
import type { Client } from "pg";
import { startBenchPlatform } from "./support/bench-platform";
import { benchDatabaseUrl, connect, redactUrl } from "./support/database";
import {
  acquire,
  createCommandExperiment,
  createToken,
  GraphQLClient,
  launch,
  registerRunner,
  uniqueName,
  type Runner,
} from "./support/graphql";
import { CLAIM_SQL } from "@distillery/api/dist/modules/run/job-queue";
import { runBench } from "./support/harness";
import { fmtInt, fmtMs, fmtRatio, printParameters, printTable, positiveIntEnv, summarize } from "./support/stats";

/** The API's default DISTILLERY_LEASE_SECONDS. */
const LEASE_SECONDS = 180;

/**
 * Queues `count` copies of the template job as new runs of `experiment`, numbered after its
 * current run_seq, in one transaction (as `count` launches would have, minus the per-launch lock).
 */
async function enqueueCopies(pg: Client, experiment: string, templateJob: string, count: number): Promise<void> {
  if (count <= 0) return;
  await pg.query("BEGIN");
  try {
    await pg.query(
      `WITH seq AS (
         UPDATE experiment SET run_seq = run_seq + $3 WHERE id = $1 RETURNING run_seq - $3 AS first
       ),
       tpl AS (
         SELECT j.device, j.min_memory_gb, j.labels, j.capabilities, j.priority, j.max_attempts, r.created_by
           FROM job j JOIN run r ON r.id = j.run_id WHERE j.id = $2
       ),
       runs AS (
         INSERT INTO run (experiment_id, number, retry_of, result, log_bytes, created_by, created_at)
         SELECT $1, seq.first + g, NULL, NULL, 0, tpl.created_by, now() + g * interval '1 microsecond'
           FROM seq, tpl, generate_series(1, $3::int) AS g
         RETURNING id, number, created_at
       )
       INSERT INTO job (run_id, state, device, min_memory_gb, labels, capabilities, priority, attempt, max_attempts,
                        cancel_requested, created_at)
       SELECT runs.id, 'queued', tpl.device, tpl.min_memory_gb, tpl.labels, tpl.capabilities, tpl.priority, 0, tpl.max_attempts,
              false, runs.created_at
         FROM runs, tpl`,
      [experiment, templateJob, count],
    );
    await pg.query("COMMIT");
  } catch (e) {
    await pg.query("ROLLBACK");
    throw e;
  }
  await pg.query("ANALYZE job");
}

/** Every job of the experiment leased exactly once. */
async function verifyLeasedOnce(pg: Client, experiment: string, expected: number, label: string): Promise<string> {
  const { rows } = await pg.query<{ total: string; leased: string; queued: string; first_attempt: string; leases: string; runners: string }>(
    `SELECT count(*) AS total,
            count(*) FILTER (WHERE j.state = 'leased') AS leased,
            count(*) FILTER (WHERE j.state = 'queued') AS queued,
            count(*) FILTER (WHERE j.attempt = 1) AS first_attempt,
            count(DISTINCT j.lease_id) AS leases,
            count(DISTINCT j.runner_id) AS runners
       FROM job j JOIN run r ON r.id = j.run_id WHERE r.experiment_id = $1`,
    [experiment],
  );
  const r = rows[0]!;
  const [total, leased, queued, firstAttempt, leases] = [r.total, r.leased, r.queued, r.first_attempt, r.leases].map(Number);
  if (total !== expected || leased !== expected || firstAttempt !== expected || leases !== expected || queued !== 0) {
    throw new Error(
      `${label}: ${total} jobs (expected ${expected}), ${leased} leased, ${queued} still queued, ` +
        `${firstAttempt} with attempt = 1, ${leases} distinct lease ids`,
    );
  }
  return `${fmtInt(total)} jobs, all leased, attempt = 1, ${fmtInt(leases!)} distinct lease ids, by ${r.runners} runners`;
}

interface Drain {
  ms: number;
  latencies: number[];
  claimed: string[];
  perWorker: number[];
}

/** Runs `workers` loops of `claim` until each gets nothing; collects what was claimed. */
async function drain(workers: number, claim: (worker: number) => Promise<string | null>): Promise<Drain> {
  const latencies: number[] = [];
  const claimed: string[] = [];
  const perWorker = new Array<number>(workers).fill(0);
  const loop = async (w: number) => {
    for (;;) {
      const t = performance.now();
      const id = await claim(w);
      if (id === null) return;
      latencies.push(performance.now() - t);
      claimed.push(id);
      perWorker[w]! += 1;
    }
  };
  const t0 = performance.now();
  await Promise.all(Array.from({ length: workers }, (_, w) => loop(w)));
  return { ms: performance.now() - t0, latencies, claimed, perWorker };
}

function expectDistinct(ids: readonly string[], expected: number, label: string): void {
  const distinct = new Set(ids).size;
  if (ids.length !== expected || distinct !== expected) {
    throw new Error(`${label}: the workers got ${ids.length} jobs (${distinct} distinct), expected ${expected}`);
  }
}

async function main(): Promise<void> {
  const jobs = positiveIntEnv("BENCH_JOBS", 2_000);
  const runnerCount = positiveIntEnv("BENCH_RUNNERS", 50);
  const rawConnections = positiveIntEnv("BENCH_RAW_CONNECTIONS", runnerCount);
  const baseUrl = benchDatabaseUrl();

  await runBench("lease", async (ctx) => {
    console.log(`lease: ${fmtInt(jobs)} jobs, ${runnerCount} racing runners; reference: ${rawConnections} direct pg connections`);
    printParameters("lease", [
      ["BENCH_JOBS", jobs],
      ["BENCH_RUNNERS", runnerCount],
      ["BENCH_RAW_CONNECTIONS", rawConnections],
      ["BENCH_DATABASE_URL", redactUrl(baseUrl)],
    ]);
    const { db, admin, pg } = await startBenchPlatform(ctx, baseUrl, { DISTILLERY_LEASE_SECONDS: String(LEASE_SECONDS) });

    // Batch 1: one launch through the API, the rest copies of it.
    process.stdout.write(`queueing ${fmtInt(jobs)} jobs ... `);
    const experimentApi = await createCommandExperiment(admin);
    const templateRun = await launch(admin, experimentApi);
    const { rows: tpl } = await pg.query<{ id: string }>(`SELECT id FROM job WHERE run_id = $1`, [templateRun]);
    const templateJob = tpl[0]!.id;
    await enqueueCopies(pg, experimentApi, templateJob, jobs - 1);
    console.log("done");

    process.stdout.write(`registering ${runnerCount} runners ... `);
    const runnerClient = admin.withToken(await createToken(admin, ["RUNNER"]));
    const runners: Runner[] = [];
    for (let i = 0; i < runnerCount; i++) runners.push(await registerRunner(runnerClient, uniqueName(`bench-runner-${i}`)));
    console.log("done");

    process.stdout.write(`API: ${runnerCount} runners draining the queue ... `);
    const api = await drain(runnerCount, async (w) => (await acquire(runners[w]!, 0))?.job.id ?? null);
    console.log(`${(api.ms / 1000).toFixed(2)} s`);
    expectDistinct(api.claimed, jobs, "API");
    const apiCheck = await verifyLeasedOnce(pg, experimentApi, jobs, "API");
    console.log(`  verified: ${apiCheck}`);

    // Batch 2: the same queue again, drained by the bare statement.
    process.stdout.write(`queueing ${fmtInt(jobs)} more jobs, opening ${rawConnections} connections ... `);
    const experimentRaw = await createCommandExperiment(admin);
    await enqueueCopies(pg, experimentRaw, templateJob, jobs);
    const clients: Client[] = [];
    for (let i = 0; i < rawConnections; i++) clients.push(await connect(ctx, db.url));
    console.log("done");

    // As the API builds the runner's offer (a CPU runner with 16 GB and the "command" capability).
    const offer = (w: number) => [runners[w % runners.length]!.id, LEASE_SECONDS, "cpu", 16, [], ["command"]];
    process.stdout.write(`raw: ${rawConnections} connections draining the queue ... `);
    const raw = await drain(rawConnections, async (w) => {
      const { rows } = await clients[w]!.query<{ id: string }>(CLAIM_SQL, offer(w));
      return rows[0]?.id ?? null;
    });
    console.log(`${(raw.ms / 1000).toFixed(2)} s`);
    expectDistinct(raw.claimed, jobs, "raw");
    const rawCheck = await verifyLeasedOnce(pg, experimentRaw, jobs, "raw");
    console.log(`  verified: ${rawCheck}`);
    await Promise.all(clients.map((c) => c.end()));

    const rate = (d: Drain) => jobs / (d.ms / 1000);
    const spread = (d: Drain) => `${Math.min(...d.perWorker)}-${Math.max(...d.perWorker)}`;
    const row = (label: string, d: Drain): string[] => {
      const s = summarize(d.latencies);
      return [label, fmtInt(rate(d)), `${(d.ms / 1000).toFixed(2)} s`, fmtMs(s.p50), fmtMs(s.p95), fmtMs(s.max), spread(d), fmtRatio(rate(d) / rate(raw))];
    };
    console.log("");
    printTable(
      ["path", "leases/s", "wall", "p50", "p95", "max", "jobs/worker", "vs raw"],
      [row(`API acquireJob, ${runnerCount} runners (HTTP)`, api), row(`raw claim SQL, ${rawConnections} pg connections`, raw)],
    );
    console.log(`\n${fmtInt(jobs)} jobs per path; latencies are of the calls that got a job.`);
  });
}

main().catch((e: unknown) => {
  console.error(`lease failed: ${e instanceof Error ? e.message : String(e)}`);
  process.exitCode = 1;
});
