import { In, type EntityManager } from "typeorm";
import { DomainError, type ModelRole, type Precision, toDbEnum } from "@distillery/domain";
import type { Database } from "../../db/database";
import { EvaluationProtocolEntity } from "./evaluation-protocol.entity";
import { EvaluationEntity } from "./evaluation.entity";
import { decodeLeaderboardCursor, encodeLeaderboardCursor, type LeaderboardPosition } from "./leaderboard-cursor";
import { LeaderboardOrder, MAX_LEADERBOARD_PAGE } from "./leaderboard.inputs";
import { dominatedFlags } from "./pareto";

export interface LeaderboardQuery {
  protocol: string;
  filter?: { role?: ModelRole | null; precision?: Precision | null; family?: string | null } | null | undefined;
  orderBy: LeaderboardOrder;
  descending: boolean;
  pareto: boolean;
  first: number;
  after?: string | null | undefined;
}

/** A version's newest evaluation under the protocol, reduced to what ranking needs. */
interface Candidate {
  evaluationId: string;
  versionId: string;
  fid: number;
  latencyP50Ms: number;
  peakMemoryBytes: number;
  params: number;
  sizeBytes: number;
}

/** Its position (sort value, version id) plus what the page needs. */
interface Ranked extends LeaderboardPosition {
  evaluationId: string;
  dominated: boolean;
}

export interface LeaderboardRow {
  versionId: string;
  evaluation: EvaluationEntity;
  dominated: boolean;
}

export interface LeaderboardPage {
  protocol: EvaluationProtocolEntity;
  rows: LeaderboardRow[];
  totalCount: number;
  endCursor: string | null;
  hasNextPage: boolean;
}

const sortValue: Record<LeaderboardOrder, (row: Candidate) => number> = {
  [LeaderboardOrder.FID]: (row) => row.fid,
  [LeaderboardOrder.LATENCY_P50]: (row) => row.latencyP50Ms,
  [LeaderboardOrder.PEAK_MEMORY]: (row) => row.peakMemoryBytes,
  [LeaderboardOrder.PARAMS]: (row) => row.params,
  [LeaderboardOrder.SIZE]: (row) => row.sizeBytes,
};

/**
 * Ranks the newest evaluation of every version under one protocol. All of the protocol's rows
 * that pass the filter are read once (narrow columns), dominance is computed over exactly that
 * set, then one page is cut out in memory and only its evaluations are read in full.
 */
export class LeaderboardService {
  constructor(private readonly db: Database) {}

  async page(query: LeaderboardQuery): Promise<LeaderboardPage> {
    if (!Number.isInteger(query.first) || query.first < 1 || query.first > MAX_LEADERBOARD_PAGE) {
      throw new DomainError("INVALID_ARGUMENT", `first must be between 1 and ${MAX_LEADERBOARD_PAGE}, got ${query.first}`, {
        field: "first",
        max: MAX_LEADERBOARD_PAGE,
      });
    }
    const after = query.after == null ? undefined : decodeLeaderboardCursor(query.after, query.orderBy);
    return this.db.read(async (manager) => {
      const protocol = await manager.findOneBy(EvaluationProtocolEntity, { key: query.protocol });
      if (!protocol) throw new DomainError("PROTOCOL_NOT_FOUND", `No evaluation protocol with key "${query.protocol}"`, { protocol: query.protocol });
      const candidates = await newestPerVersion(manager, protocol.id, query.filter);
      const flags = dominatedFlags(candidates);
      const valueOf = sortValue[query.orderBy];
      const ranked: Ranked[] = candidates
        .map((candidate, index) => ({
          value: valueOf(candidate),
          versionId: candidate.versionId,
          evaluationId: candidate.evaluationId,
          dominated: flags[index]!,
        }))
        .filter((row) => !query.pareto || !row.dominated);
      const sign = query.descending ? -1 : 1;
      const compare = (a: LeaderboardPosition, b: LeaderboardPosition) =>
        sign * (a.value - b.value || (a.versionId < b.versionId ? -1 : a.versionId > b.versionId ? 1 : 0));
      ranked.sort(compare);
      const start = after === undefined ? 0 : firstIndexAfter(ranked, (row) => compare(row, after) > 0);
      const page = ranked.slice(start, start + query.first);
      const ids = page.map((row) => row.evaluationId);
      const evaluations = ids.length === 0 ? [] : await manager.findBy(EvaluationEntity, { id: In(ids) });
      const evaluationById = new Map(evaluations.map((evaluation) => [evaluation.id, evaluation]));
      const last = page.at(-1);
      return {
        protocol,
        rows: page.map((row) => ({ versionId: row.versionId, evaluation: evaluationById.get(row.evaluationId)!, dominated: row.dominated })),
        totalCount: ranked.length,
        endCursor: last ? encodeLeaderboardCursor(query.orderBy, last) : null,
        hasNextPage: start + page.length < ranked.length,
      };
    });
  }
}

/** Rows are sorted, so the rows after the cursor are a suffix: binary search for its start. */
function firstIndexAfter<T>(rows: readonly T[], isAfter: (row: T) => boolean): number {
  let low = 0;
  let high = rows.length;
  while (low < high) {
    const middle = (low + high) >> 1;
    if (isAfter(rows[middle]!)) high = middle;
    else low = middle + 1;
  }
  return low;
}

/** Joins the version and its model only when the filter needs them. */
async function newestPerVersion(manager: EntityManager, protocolId: string, filter: LeaderboardQuery["filter"]): Promise<Candidate[]> {
  const conditions = ["e.protocol_id = $1"];
  const parameters: unknown[] = [protocolId];
  const where = (column: string, value: string) => {
    parameters.push(value);
    conditions.push(`${column} = $${parameters.length}`);
  };
  if (filter?.role != null) where("m.role", toDbEnum(filter.role));
  if (filter?.precision != null) where("v.precision", toDbEnum(filter.precision));
  if (filter?.family != null) where("m.family", filter.family);
  const joins = parameters.length > 1 ? "JOIN model_version v ON v.id = e.version_id JOIN model m ON m.id = v.model_id" : "";
  const rows: Array<Record<string, string | number>> = await manager.query(
    `SELECT DISTINCT ON (e.version_id) e.id, e.version_id, e.fid, e.latency_p50_ms, e.peak_memory_bytes, e.params, e.size_bytes
       FROM evaluation e ${joins}
      WHERE ${conditions.join(" AND ")}
      ORDER BY e.version_id, e.created_at DESC, e.id DESC`,
    parameters,
  );
  return rows.map((row) => ({
    evaluationId: String(row.id),
    versionId: String(row.version_id),
    fid: Number(row.fid),
    latencyP50Ms: Number(row.latency_p50_ms),
    peakMemoryBytes: Number(row.peak_memory_bytes),
    params: Number(row.params),
    sizeBytes: Number(row.size_bytes),
  }));
}
