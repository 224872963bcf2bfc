import type { EvaluationMeasurements } from "@distillery/domain";
import { beforeAll, describe, expect, it } from "vitest";
import {
  createExtractor,
  evaluationInput,
  LEADERBOARD,
  leasedJob,
  measurements,
  POST_EVALUATION,
  protocolSettings,
  versionOf,
} from "./support/evaluations";
import { databaseKind } from "./support/test-database";
import { useTestServer } from "./support/use-test-server";

const api = useTestServer();

interface Entry {
  role: string;
  family: string;
  precision: string;
  sizeBytes: number;
  params: number;
  /** fid, latencyP50Ms, peakMemoryBytes */
  scores: [number, number, number];
}

/**
 * A hand-made board for protocol P. A and B tie exactly (so neither dominates the other); C ties
 * A on two objectives and loses on the third; K was first evaluated as the best of all, then
 * re-evaluated by a newer run as the worst: only the newest evaluation counts.
 */
const board: Record<string, Entry> = {
  A: { role: "STUDENT", family: "unet", precision: "FP32", sizeBytes: 300, params: 1000, scores: [10, 5, 100] },
  B: { role: "STUDENT", family: "unet", precision: "FP32", sizeBytes: 300, params: 1000, scores: [10, 5, 100] },
  C: { role: "STUDENT", family: "unet", precision: "FP32", sizeBytes: 200, params: 2000, scores: [10, 5, 200] },
  D: { role: "STUDENT", family: "unet", precision: "FP32", sizeBytes: 500, params: 500, scores: [5, 20, 300] },
  E: { role: "STUDENT", family: "unet", precision: "FP32", sizeBytes: 100, params: 3000, scores: [20, 1, 400] },
  F: { role: "STUDENT", family: "unet-small", precision: "FP16", sizeBytes: 150, params: 500, scores: [30, 30, 50] },
  G: { role: "STUDENT", family: "unet-small", precision: "FP16", sizeBytes: 150, params: 700, scores: [30, 30, 60] },
  H: { role: "STUDENT", family: "unet", precision: "FP32", sizeBytes: 400, params: 1500, scores: [12, 6, 100] },
  I: { role: "STUDENT", family: "unet-small", precision: "INT8", sizeBytes: 50, params: 1000, scores: [11, 2, 90] },
  J: { role: "STUDENT", family: "unet", precision: "FP32", sizeBytes: 250, params: 2500, scores: [25, 3, 95] },
  K: { role: "STUDENT", family: "unet", precision: "FP32", sizeBytes: 350, params: 800, scores: [50, 50, 500] },
  L: { role: "TEACHER", family: "teacher-unet", precision: "FP32", sizeBytes: 1000, params: 9000, scores: [3, 40, 1000] },
};
const K_FIRST: [number, number, number] = [1, 1, 1];

const versions: Record<string, { id: string; ref: string }> = {};
let protocolP: string;
let protocolQ: string;
let qOnly: { id: string; ref: string };
let kRuns: { first: string; newest: string };

function measured(entry: Entry, scores = entry.scores) {
  const [fid, latencyP50Ms, peakMemoryBytes] = scores;
  return measurements({ fid, latencyP50Ms, latencyP95Ms: latencyP50Ms * 1.5, peakMemoryBytes, params: entry.params, throughput: 1000 / latencyP50Ms });
}

beforeAll(async () => {
  const extractor = await createExtractor(api.admin);
  const p = protocolSettings(extractor.ref, { hardware: "cpu:board" });
  const q = protocolSettings(extractor.ref, { hardware: "cpu:other" });
  for (const [name, entry] of Object.entries(board)) versions[name] = await versionOf(api.admin, entry);
  qOnly = await versionOf(api.admin);
  const first = await leasedJob(api.admin);
  const post = async (lease: typeof first, version: string, protocol: typeof p, values: ReturnType<typeof measured>) =>
    (await lease.runner.client.ok(POST_EVALUATION, { input: evaluationInput(lease.lease, version, protocol, values) })).postEvaluation;
  await post(first, versions.K!.ref, p, measured(board.K!, K_FIRST));
  for (const [name, entry] of Object.entries(board)) {
    if (name !== "K") protocolP = (await post(first, versions[name]!.ref, p, measured(entry))).protocol.key;
  }
  // Protocol Q: A scores badly there, and a version that would dominate everything appears only there.
  protocolQ = (await post(first, versions.A!.ref, q, measured(board.A!, [100, 100, 10_000]))).protocol.key;
  await post(first, qOnly.ref, q, measured(board.A!, [0.1, 0.1, 1]));
  const second = await leasedJob(api.admin);
  await post(second, versions.K!.ref, p, measured(board.K!));
  // A replay of the first run's K evaluation comes after, and must not make it the newest again.
  await post(first, versions.K!.ref, p, measured(board.K!, K_FIRST));
  kRuns = { first: first.runId, newest: second.runId };
});

interface Row extends EvaluationMeasurements {
  version: { id: string; ref: string };
  evaluation: { id: string; fid: number; run: { id: string } };
  sizeBytes: number;
  dominated: boolean;
}

async function leaderboard(variables: Record<string, unknown>) {
  return (await api.admin.ok(LEADERBOARD, { protocol: protocolP, ...variables })).leaderboard as {
    rows: Row[];
    totalCount: number;
    endCursor: string | null;
    hasNextPage: boolean;
    protocol: { key: string };
  };
}

const nameOf = (row: Row) => Object.keys(versions).find((name) => versions[name]!.id === row.version.id) ?? row.version.ref;
const names = (rows: Row[]) => rows.map(nameOf);

const orderValue: Record<string, (entry: Entry) => number> = {
  FID: (entry) => entry.scores[0],
  LATENCY_P50: (entry) => entry.scores[1],
  PEAK_MEMORY: (entry) => entry.scores[2],
  PARAMS: (entry) => entry.params,
  SIZE: (entry) => entry.sizeBytes,
};

/** The order the API promises: by the value, ties by version id, both in the asked direction. */
function expectedOrder(order: string, descending: boolean, among = Object.keys(board)): string[] {
  const sorted = [...among].sort((a, b) => {
    const byValue = orderValue[order]!(board[a]!) - orderValue[order]!(board[b]!);
    const idA = versions[a]!.id;
    const idB = versions[b]!.id;
    return byValue || (idA < idB ? -1 : idA > idB ? 1 : 0);
  });
  return descending ? sorted.reverse() : sorted;
}

async function allPages(variables: Record<string, unknown>, first: number): Promise<{ rows: Row[]; pages: number }> {
  const rows: Row[] = [];
  let after: string | null = null;
  let pages = 0;
  for (;;) {
    const page = await leaderboard({ ...variables, first, after });
    pages += 1;
    expect(page.rows.length).toBeLessThanOrEqual(first);
    rows.push(...page.rows);
    if (!page.hasNextPage) return { rows, pages };
    after = page.endCursor;
  }
}

describe(`leaderboard (${databaseKind})`, () => {
  it("ranks each version's newest evaluation under the protocol, with its metrics and the version's size", async () => {
    const page = await leaderboard({});
    expect(page.protocol.key).toBe(protocolP);
    expect(page.totalCount).toBe(12);
    expect(page.hasNextPage).toBe(false);
    expect(names(page.rows)).toEqual(expectedOrder("FID", false));
    for (const row of page.rows) {
      const entry = board[nameOf(row)]!;
      const expected = measured(entry);
      expect(row).toMatchObject({
        fid: expected.fid,
        latencyP50Ms: expected.latencyP50Ms,
        latencyP95Ms: expected.latencyP95Ms,
        throughput: expected.throughput,
        peakMemoryBytes: expected.peakMemoryBytes,
        params: entry.params,
        sizeBytes: entry.sizeBytes,
        evaluation: { fid: expected.fid },
      });
    }
    const k = page.rows.find((row) => nameOf(row) === "K")!;
    expect(k.evaluation.run.id).toBe(kRuns.newest);
    expect(k.evaluation.run.id).not.toBe(kRuns.first);
  });

  it.each(["FID", "LATENCY_P50", "PEAK_MEMORY", "PARAMS", "SIZE"])("orders by %s in both directions, ties by version id", async (orderBy) => {
    expect(names((await leaderboard({ orderBy })).rows)).toEqual(expectedOrder(orderBy, false));
    expect(names((await leaderboard({ orderBy, descending: true })).rows)).toEqual(expectedOrder(orderBy, true));
  });

  it("marks exactly the dominated rows, exact ties dominating neither way", async () => {
    const rows = (await leaderboard({})).rows;
    const dominated = rows.filter((row) => row.dominated).map(nameOf).sort();
    expect(dominated).toEqual(["C", "G", "H", "J", "K"]);
    const pareto = await leaderboard({ pareto: true });
    expect(pareto.totalCount).toBe(7);
    expect(names(pareto.rows)).toEqual(expectedOrder("FID", false, ["A", "B", "D", "E", "F", "I", "L"]));
    expect(pareto.rows.every((row) => !row.dominated)).toBe(true);
  });

  it("filters by role, precision and family, and judges dominance only among the rows that pass", async () => {
    const dominatedIn = async (filter: Record<string, unknown>, pareto = false) => {
      const page = await leaderboard({ filter, pareto });
      return Object.fromEntries(page.rows.map((row) => [nameOf(row), row.dominated]));
    };
    // J is dominated only by I, an INT8 version: among FP32 rows nothing beats it.
    expect(await dominatedIn({ precision: "FP32" })).toEqual({ A: false, B: false, C: true, D: false, E: false, H: true, J: false, K: true, L: false });
    expect(await dominatedIn({ role: "TEACHER" })).toEqual({ L: false });
    expect(Object.keys(await dominatedIn({ role: "STUDENT" })).sort()).toEqual(Object.keys(board).filter((name) => name !== "L"));
    expect(await dominatedIn({ family: "unet-small" })).toEqual({ F: false, G: true, I: false });
    expect(await dominatedIn({ family: "unet-small", precision: "FP16" })).toEqual({ F: false, G: true });
    expect(await dominatedIn({ family: "unet-small", precision: "FP16" }, true)).toEqual({ F: false });
    expect(await dominatedIn({ role: "EXTRACTOR" })).toEqual({});
    expect((await leaderboard({ filter: { family: "no-such-family" } })).totalCount).toBe(0);
  });

  it("pages with opaque cursors: every row once, in order, in both directions and with pareto", async () => {
    for (const [variables, expected] of [
      [{}, expectedOrder("FID", false)],
      [{ orderBy: "SIZE", descending: true }, expectedOrder("SIZE", true)],
      [{ orderBy: "PARAMS", pareto: true }, expectedOrder("PARAMS", false, ["A", "B", "D", "E", "F", "I", "L"])],
    ] as Array<[Record<string, unknown>, string[]]>) {
      const { rows, pages } = await allPages(variables, 5);
      expect(names(rows), JSON.stringify(variables)).toEqual(expected);
      expect(pages).toBe(Math.ceil(expected.length / 5));
    }
    const { rows } = await allPages({ orderBy: "LATENCY_P50" }, 1);
    expect(names(rows)).toEqual(expectedOrder("LATENCY_P50", false));
    const last = await leaderboard({ first: 12 });
    expect(last.hasNextPage).toBe(false);
    const beyond = await leaderboard({ after: last.endCursor });
    expect(beyond).toMatchObject({ rows: [], hasNextPage: false, endCursor: null, totalCount: 12 });
  });

  it("never mixes protocols", async () => {
    const q = await leaderboard({ protocol: protocolQ });
    expect(q.rows.map((row) => row.version.id).sort()).toEqual([versions.A!.id, qOnly.id].sort());
    expect(q.rows.find((row) => row.version.id === versions.A!.id)).toMatchObject({ fid: 100, dominated: true });
    const p = await leaderboard({});
    expect(p.rows.map((row) => row.version.id)).not.toContain(qOnly.id);
    expect(p.rows.find((row) => row.version.id === versions.A!.id)).toMatchObject({ fid: 10, dominated: false });
  });

  it("refuses an unknown protocol, a bad page size and a cursor it did not hand out", async () => {
    await api.admin.fails(LEADERBOARD, { protocol: "f".repeat(64) }, "NOT_FOUND", "PROTOCOL_NOT_FOUND");
    await api.admin.fails(LEADERBOARD, { protocol: "x" }, "NOT_FOUND", "PROTOCOL_NOT_FOUND");
    for (const first of [0, -1, 501]) await api.admin.fails(LEADERBOARD, { protocol: protocolP, first }, "BAD_USER_INPUT", "INVALID_ARGUMENT");
    expect((await leaderboard({ first: 500 })).rows).toHaveLength(12);
    const fidCursor = (await leaderboard({ first: 2 })).endCursor;
    await api.admin.fails(LEADERBOARD, { protocol: protocolP, orderBy: "PARAMS", after: fidCursor }, "BAD_USER_INPUT", "INVALID_CURSOR");
    for (const after of ["not-a-cursor", Buffer.from(JSON.stringify(["FID", "1", "x"])).toString("base64url"), ""]) {
      await api.admin.fails(LEADERBOARD, { protocol: protocolP, after }, "BAD_USER_INPUT", "INVALID_CURSOR");
    }
  });
});
