import { defineOperation } from "@distillery/client";

export interface Me {
  name: string;
  scopes: string[];
}

export const ME = defineOperation<{ me: Me }, Record<string, never>>("Me", `query Me { me { name scopes } }`);

// The leaderboard's operations and types are shared with the CLI: they live in libs/client.
export {
  LEADERBOARD,
  LEADERBOARD_ORDERS as ORDERS,
  type LeaderboardOrder as Order,
  type LeaderboardRow,
  PROTOCOLS,
  type ProtocolSummary as Protocol,
} from "@distillery/client";
