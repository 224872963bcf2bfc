/**
 * Web leaderboard benchmark: how quickly the leaderboard page becomes interactive in Chromium, and
 * how quickly it re-sorts, with BENCH_VERSIONS evaluated versions (default 10,000) under one
 * protocol — the scale at which the MLflow UI is reported to crawl.
 *
 *   - seeded through the API as runners post them: BENCH_MODELS models (default 100) with
 *     BENCH_VERSIONS versions between them (one shared 1 KiB blob), and one evaluation per version
 *     posted with postEvaluation under a real job lease (heartbeated while seeding); FID, latency
 *     and memory are drawn from a seeded generator so a real Pareto front exists;
 *   - `next start` (apps/web, built) and Debian's Chromium (playwright-core), signed in as admin;
 *   - page: BENCH_ROUNDS loads of /leaderboard (100 rows a page, ranked by FID, the scatter drawn):
 *     time to first byte, DOMContentLoaded, and "interactive" = React has hydrated the table (its
 *     element carries a React fiber) — measured in the page from navigation start;
 *   - re-sort: click the "Latency p50" header, then "FID" again, BENCH_ROUNDS times each; time
 *     from the click until the first row is the version the API ranks first for that order;
 *   - physical limits, measured in the same run:
 *       * the API alone: the same leaderboard query over HTTP from this process (median);
 *       * Chromium alone: the same rendered HTML, scripts removed, served from memory by a bare
 *         node:http server: its DOMContentLoaded;
 *     the ratio is page time / (API alone + Chromium alone): how much the web app adds on top.
 *
 * Runs against a fresh database `distillery_bench_<random>` on BENCH_DATABASE_URL's server
 * (default postgres://postgres@127.0.0.1:5432/test), dropped at the end, also on error.
 *
 * Run:  npm run bench:web-leaderboard                       (builds first)
 *       BENCH_VERSIONS=1000 npm run bench:web-leaderboard   (quick run)
 */
import { createHash, randomBytes } from "node:crypto";
import { createServer } from "node:http";
import { performance } from "node:perf_hooks";
import type { Page } from "playwright-core";
import { openBrowser, signIn } from "../support/chromium";
import { freePort } from "../support/free-port";
import { startWeb } from "../support/web-process";
import { startBenchPlatform } from "./support/bench-platform";
import { benchDatabaseUrl, redactUrl } from "./support/database";
import { acquire, createCommandExperiment, createToken, type GraphQLClient, launch, registerRunner } from "./support/graphql";
import { runBench } from "./support/harness";
import { fmtInt, fmtMs, fmtRatio, printParameters, printTable, positiveIntEnv, summarize } from "./support/stats";

const VERSIONS = positiveIntEnv("BENCH_VERSIONS", 10_000, "versions");
const MODELS = Math.min(positiveIntEnv("BENCH_MODELS", 100, "models"), VERSIONS);
const ROUNDS = positiveIntEnv("BENCH_ROUNDS", 5, "rounds");
const CONCURRENCY = positiveIntEnv("BENCH_CONCURRENCY", 8, "requests in flight");
const PAGE_ROWS = 100; // apps/web/app/leaderboard/page.tsx PAGE_SIZE
const MIB = 1024 * 1024;

const PROTOCOL = {
  dataset: "fashion-mnist@v1",
  referenceStats: `sha256:${"b".repeat(64)}`,
  samples: 2000,
  sampler: "ddim",
  steps: 20,
  eta: 0,
  resolution: 16,
  batch: 64,
  threads: 2,
  hardware: "cpu:bench",
};

const LEADERBOARD_FIRST = `query($protocol: String!, $orderBy: LeaderboardOrder!, $first: Int!) {
  leaderboard(protocol: $protocol, orderBy: $orderBy, first: $first) {
    totalCount rows { dominated fid latencyP50Ms latencyP95Ms peakMemoryBytes params sizeBytes throughput version { ref model { name role family } precision } }
  }
}`;

/** mulberry32: a small seeded generator, so every run seeds the same measurements. */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Runs `task(i)` for i in [0, count) with at most `limit` in flight. */
async function inParallel(count: number, limit: number, task: (index: number) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    for (let index = next++; index < count; index = next++) await task(index);
  };
  await Promise.all(Array.from({ length: Math.min(limit, count) }, worker));
}

async function seed(admin: GraphQLClient, apiBase: string): Promise<{ protocolKey: string; seconds: number }> {
  const started = performance.now();
  const runnerClient = admin.withToken(await createToken(admin, ["RUNNER"]));
  const runner = await registerRunner(runnerClient);
  await launch(admin, await createCommandExperiment(admin));
  const lease = await acquire(runner, 5);
  if (!lease) throw new Error("no job to lease for posting evaluations");
  const heartbeat = setInterval(() => {
    void runnerClient.ok(`mutation($job: ID!, $lease: ID!) { heartbeat(job: $job, leaseId: $lease) { leaseExpiresAt } }`, { job: lease.job.id, lease: lease.leaseId }).catch((error) => {
      console.error(`heartbeat failed: ${error instanceof Error ? error.message : String(error)}`);
    });
  }, 15_000);
  try {
    const extractorName = "bench-extractor";
    await admin.ok(`mutation($input: CreateModelInput!) { createModel(input: $input) { id } }`, { input: { name: extractorName, role: "EXTRACTOR" } });
    const bytes = randomBytes(1024);
    const hex = createHash("sha256").update(bytes).digest("hex");
    const put = await fetch(`${apiBase}/v1/blobs/sha256/${hex}`, { method: "PUT", headers: { authorization: `Bearer ${admin.token}` }, body: bytes });
    if (put.status !== 201 && put.status !== 200) throw new Error(`the blob upload answered HTTP ${put.status}`);
    const register = (model: string, precision: string, params: number | null) =>
      admin.ok<{ registerModelVersion: { ref: string } }>(`mutation($input: RegisterModelVersionInput!) { registerModelVersion(input: $input) { ref } }`, {
        input: { model, digest: `sha256:${hex}`, format: "ONNX", precision, params },
      });
    const extractor = (await register(extractorName, "FP32", null)).registerModelVersion.ref;

    const models = Array.from({ length: MODELS }, (_, index) => `bench-${index === 0 ? "teacher" : "student"}-${String(index).padStart(4, "0")}`);
    await inParallel(MODELS, CONCURRENCY, async (index) => {
      await admin.ok(`mutation($input: CreateModelInput!) { createModel(input: $input) { id } }`, {
        input: { name: models[index], role: index === 0 ? "TEACHER" : "STUDENT", family: index % 3 === 0 ? "unet-small" : "unet-tiny" },
      });
    });

    const random = seededRandom(7);
    const precisions = ["FP32", "FP16", "INT8"];
    let protocolKey = "";
    let posted = 0;
    // Versions are registered model by model (numbers are per model), evaluations as they come.
    await inParallel(VERSIONS, CONCURRENCY, async (index) => {
      const model = models[index % MODELS]!;
      const size = 0.2 + random() * 0.8; // a network's relative size
      const precision = precisions[index % 3]!;
      const params = Math.round(5_000_000 + size * 45_000_000);
      const ref = (await register(model, precision, params)).registerModelVersion.ref;
      const latencyP50Ms = 10 + size * 300 * (precision === "INT8" ? 0.6 : precision === "FP16" ? 0.8 : 1) * (0.8 + random() * 0.4);
      const answer = await runnerClient.ok<{ postEvaluation: { protocol: { key: string } } }>(
        `mutation($input: PostEvaluationInput!) { postEvaluation(input: $input) { protocol { key } } }`,
        {
          input: {
            jobId: lease.job.id,
            leaseId: lease.leaseId,
            version: ref,
            protocol: { ...PROTOCOL, extractor },
            fid: 4 + (1 - size) * 30 * (0.7 + random() * 0.6) + (precision === "INT8" ? 2 : 0),
            latencyP50Ms,
            latencyP95Ms: latencyP50Ms * 1.2,
            throughput: 1000 / latencyP50Ms,
            peakMemoryBytes: Math.round((64 + size * 2000 * (precision === "FP32" ? 1 : precision === "FP16" ? 0.5 : 0.25)) * MIB),
            params,
          },
        },
      );
      protocolKey = answer.postEvaluation.protocol.key;
      posted += 1;
      if (posted % 2000 === 0) console.log(`  seeded ${fmtInt(posted)} of ${fmtInt(VERSIONS)} evaluated versions`);
    });
    return { protocolKey, seconds: (performance.now() - started) / 1000 };
  } finally {
    clearInterval(heartbeat);
  }
}

/** Milliseconds from navigation start until React has hydrated the leaderboard table. */
async function loadUntilInteractive(page: Page, url: string): Promise<{ ttfb: number; domContentLoaded: number; interactive: number }> {
  await page.goto(url, { waitUntil: "domcontentloaded" });
  const interactive = await page.waitForFunction(
    () => {
      const table = document.querySelector("table.leaderboard");
      return table && Object.keys(table).some((key) => key.startsWith("__reactFiber")) ? window.performance.now() : null;
    },
    undefined,
    { polling: "raf", timeout: 60_000 },
  );
  const navigation = await page.evaluate(() => {
    const entry = window.performance.getEntriesByType("navigation")[0] as PerformanceNavigationTiming;
    return { ttfb: entry.responseStart, domContentLoaded: entry.domContentLoadedEventEnd };
  });
  return { ...navigation, interactive: (await interactive.jsonValue()) as number };
}

/** Milliseconds from clicking a sort header until the first row is `expectedFirst`. */
async function resortBy(page: Page, header: RegExp, expectedFirst: string): Promise<number> {
  const started = performance.now();
  await page.getByRole("link", { name: header }).click();
  await page.waitForFunction((expected) => document.querySelector("table.leaderboard tbody tr td")?.textContent === expected, expectedFirst, {
    polling: "raf",
    timeout: 60_000,
  });
  return performance.now() - started;
}

/** Chromium alone: the same HTML without scripts, served from memory; its DOMContentLoaded. */
async function staticPageTimes(page: Page, html: string): Promise<number[]> {
  const body = html.replace(/<script\b[^>]*>[\s\S]*?<\/script>/gi, "").replace(/<link\b[^>]*rel="(?:preload|modulepreload)"[^>]*>/gi, "");
  const port = await freePort();
  const server = createServer((_, response) => response.writeHead(200, { "content-type": "text/html; charset=utf-8" }).end(body));
  await new Promise<void>((done) => server.listen(port, "127.0.0.1", done));
  try {
    const times: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      await page.goto(`http://127.0.0.1:${port}/?round=${round}`, { waitUntil: "domcontentloaded" });
      times.push(await page.evaluate(() => (window.performance.getEntriesByType("navigation")[0] as PerformanceNavigationTiming).domContentLoadedEventEnd));
    }
    return times;
  } finally {
    await new Promise((done) => server.close(done));
  }
}

void runBench("web-leaderboard", async (ctx) => {
  const baseUrl = benchDatabaseUrl();
  printParameters("web-leaderboard", [
    ["BENCH_VERSIONS", VERSIONS],
    ["BENCH_MODELS", MODELS],
    ["BENCH_ROUNDS", ROUNDS],
    ["BENCH_CONCURRENCY", CONCURRENCY],
    ["BENCH_DATABASE_URL", redactUrl(baseUrl)],
  ]);
  const { server, admin } = await startBenchPlatform(ctx, baseUrl);
  console.log(`seeding ${fmtInt(VERSIONS)} evaluated versions across ${fmtInt(MODELS)} models …`);
  const { protocolKey, seconds } = await seed(admin, server.base);
  console.log(`seeded in ${seconds.toFixed(1)} s (${fmtInt(VERSIONS / seconds)} versions/s, registration and evaluation)`);

  // The API alone: the query the page makes, from this process.
  type Board = { leaderboard: { totalCount: number; rows: Array<{ version: { ref: string } }> } };
  const apiTimes = async (orderBy: string) => {
    const times: number[] = [];
    let first = "";
    for (let round = 0; round < ROUNDS + 1; round++) {
      const started = performance.now();
      const board = await admin.ok<Board>(LEADERBOARD_FIRST, { protocol: protocolKey, orderBy, first: PAGE_ROWS });
      if (round > 0) times.push(performance.now() - started); // the first warms caches, as a page load after seeding would
      if (board.leaderboard.totalCount !== VERSIONS) throw new Error(`the leaderboard holds ${board.leaderboard.totalCount} versions, not ${VERSIONS}`);
      first = board.leaderboard.rows[0]!.version.ref;
    }
    return { times, first };
  };
  const apiByFid = await apiTimes("FID");
  const apiByLatency = await apiTimes("LATENCY_P50");

  const web = await startWeb(server.base);
  ctx.onCleanup(() => web.stop());
  const session = await openBrowser();
  ctx.onCleanup(() => session.close());
  const { page } = session;
  page.setDefaultTimeout(60_000);
  await signIn(page, web.url, admin.token);

  const loads: Array<{ ttfb: number; domContentLoaded: number; interactive: number }> = [];
  const url = `${web.url}/leaderboard?protocol=${protocolKey}`;
  await loadUntilInteractive(page, url); // warm: Next compiles nothing in production, but caches fill
  for (let round = 0; round < ROUNDS; round++) loads.push(await loadUntilInteractive(page, url));
  const rendered = await page.content();
  const rowsShown = await page.locator("table.leaderboard tbody tr").count();
  const pointsDrawn = await page.locator(".scatter circle.point").count();
  if (rowsShown !== PAGE_ROWS) throw new Error(`the page shows ${rowsShown} rows, not ${PAGE_ROWS}`);

  const resorts: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    resorts.push(await resortBy(page, /^Latency p50/, apiByLatency.first));
    resorts.push(await resortBy(page, /^FID/, apiByFid.first));
  }
  const staticTimes = await staticPageTimes(page, rendered);

  const api = summarize([...apiByFid.times, ...apiByLatency.times]).p50;
  const browserAlone = summarize(staticTimes).p50;
  const limit = api + browserAlone;
  const ttfb = summarize(loads.map((load) => load.ttfb)).p50;
  const dcl = summarize(loads.map((load) => load.domContentLoaded)).p50;
  const interactive = summarize(loads.map((load) => load.interactive)).p50;
  const resort = summarize(resorts);
  console.log(`\n${fmtInt(VERSIONS)} versions ranked; the page shows ${rowsShown} rows and ${pointsDrawn} points; HTML ${fmtInt(rendered.length / 1024)} KiB`);
  printTable(
    ["measure (median)", "time", "× limit"],
    [
      ["API alone: leaderboard query, 100 rows", fmtMs(api), ""],
      ["Chromium alone: same HTML, no scripts (DOMContentLoaded)", fmtMs(browserAlone), ""],
      ["limit = API + Chromium alone", fmtMs(limit), "1.00"],
      ["page: first byte", fmtMs(ttfb), fmtRatio(ttfb / limit)],
      ["page: DOMContentLoaded", fmtMs(dcl), fmtRatio(dcl / limit)],
      ["page: interactive (table hydrated)", fmtMs(interactive), fmtRatio(interactive / limit)],
      [`re-sort by header click (p50 of ${resorts.length}; p95 ${fmtMs(resort.p95)})`, fmtMs(resort.p50), fmtRatio(resort.p50 / limit)],
    ],
    ["left", "right", "right"],
  );
});
