import { defineOperation } from "@distillery/client";

export interface Me {
  name: string;
  scopes: string[];
}

export const ME = defineOperation<{ me: Me }, Record<string, never>>("Me", `query Me { me { name scopes } }`);

export interface Protocol {
  key: string;
  dataset: string;
  extractor: { ref: string } | null;
  samples: number;
  sampler: string;
  steps: number;
  eta: number;
  resolution: number;
  batch: number;
  threads: number;
  hardware: string;
  evaluationCount: number;
}

const PROTOCOL_FIELDS = "key dataset extractor { ref } samples sampler steps eta resolution batch threads hardware evaluationCount";

export const PROTOCOLS = defineOperation<{ protocols: Protocol[] }, Record<string, never>>("Protocols", `query Protocols { protocols { ${PROTOCOL_FIELDS} } }`);

export const ORDERS = ["FID", "LATENCY_P50", "PEAK_MEMORY", "PARAMS", "SIZE"] as const;
export type Order = (typeof ORDERS)[number];

export interface LeaderboardRow {
  version: { ref: string; precision: string; model: { name: string; role: string } };
  fid: number;
  latencyP50Ms: number;
  latencyP95Ms: number;
  throughput: number;
  peakMemoryBytes: number;
  params: number;
  sizeBytes: number;
  dominated: boolean;
}

export interface LeaderboardFilter {
  role?: string;
  precision?: string;
  family?: string;
}

export interface LeaderboardVariables {
  protocol: string;
  filter: LeaderboardFilter;
  orderBy: Order;
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
}

export const LEADERBOARD = defineOperation<{ leaderboard: LeaderboardPage }, LeaderboardVariables>(
  "Leaderboard",
  `query Leaderboard($protocol: String!, $filter: LeaderboardFilter, $orderBy: LeaderboardOrder!, $descending: Boolean!, $pareto: Boolean!, $first: Int!, $after: String) {
    leaderboard(protocol: $protocol, filter: $filter, orderBy: $orderBy, descending: $descending, pareto: $pareto, first: $first, after: $after) {
      rows { version { ref precision model { name role } } fid latencyP50Ms latencyP95Ms throughput peakMemoryBytes params sizeBytes dominated }
      totalCount endCursor hasNextPage
    }
  }`,
);
