import type { EvaluationMeasurements, EvaluationProtocolFields } from "@distillery/domain";
import { defineOperation } from "../graphql-client";

/** A protocol as the API lists it: the settings results are ranked by, its key, its extractor as a version. */
export interface ProtocolSummary extends Omit<EvaluationProtocolFields, "extractor" | "referenceStats"> {
  key: string;
  extractor: { ref: string } | null;
  evaluationCount: number;
}

/** One ranked version: its newest evaluation under the protocol. */
export interface LeaderboardRow extends EvaluationMeasurements {
  version: { ref: string; precision: string; model: { name: string; role: string } };
  sizeBytes: number;
  dominated: boolean;
}

export const LEADERBOARD_ORDERS = ["FID", "LATENCY_P50", "PEAK_MEMORY", "PARAMS", "SIZE"] as const;
export type LeaderboardOrder = (typeof LEADERBOARD_ORDERS)[number];

export interface LeaderboardVariables {
  protocol: string;
  filter: { role?: string; precision?: string; family?: string };
  orderBy: LeaderboardOrder;
  descending: boolean;
  pareto: boolean;
  first: number;
  after: string | null;
}

export interface LeaderboardPage {
  rows: LeaderboardRow[];
  totalCount: number;
  endCursor: string | null;
  hasNextPage: boolean;
  protocol: ProtocolSummary;
}

const PROTOCOL_FIELDS = "key dataset extractor { ref } samples sampler steps eta resolution batch threads hardware evaluationCount";
const ROW_FIELDS = "version { ref precision model { name role } } fid latencyP50Ms latencyP95Ms throughput peakMemoryBytes params sizeBytes dominated";

/** Every protocol, most recently used first. */
export const PROTOCOLS = defineOperation<{ protocols: ProtocolSummary[] }, Record<string, never>>("Protocols", `query Protocols { protocols { ${PROTOCOL_FIELDS} } }`);

export const LEADERBOARD = defineOperation<{ leaderboard: LeaderboardPage }, LeaderboardVariables>(
  "Leaderboard",
  `query Leaderboard($protocol: String!, $filter: LeaderboardFilter, $orderBy: LeaderboardOrder!, $descending: Boolean!, $pareto: Boolean!, $first: Int!, $after: String) {
    leaderboard(protocol: $protocol, filter: $filter, orderBy: $orderBy, descending: $descending, pareto: $pareto, first: $first, after: $after) {
      rows { ${ROW_FIELDS} } totalCount endCursor hasNextPage protocol { ${PROTOCOL_FIELDS} }
    }
  }`,
);
