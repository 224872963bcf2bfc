import { DomainError, isUuid } from "@distillery/domain";
import type { LeaderboardOrder } from "./leaderboard.inputs";

/** Where a page ended: the last row's sort value and version id, under the order that sorted it. */
export interface LeaderboardPosition {
  value: number;
  versionId: string;
}

/** Opaque to clients: base64url of [order, value, version id]. */
export function encodeLeaderboardCursor(order: LeaderboardOrder, position: LeaderboardPosition): string {
  return Buffer.from(JSON.stringify([order, position.value, position.versionId])).toString("base64url");
}

/** INVALID_CURSOR for anything this list did not hand out under the same order. */
export function decodeLeaderboardCursor(cursor: string, order: LeaderboardOrder): LeaderboardPosition {
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
  } catch {
    decoded = null;
  }
  if (Array.isArray(decoded) && decoded.length === 3) {
    const [cursorOrder, value, versionId] = decoded as unknown[];
    if (cursorOrder === order && typeof value === "number" && Number.isFinite(value) && typeof versionId === "string" && isUuid(versionId)) {
      return { value, versionId };
    }
  }
  throw new DomainError("INVALID_CURSOR", `"${cursor}" is not a cursor this leaderboard handed out for orderBy ${order}`, { cursor });
}
