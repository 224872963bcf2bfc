import { createHash, randomBytes } from "node:crypto";

export const TOKEN_PREFIX = "dst_";
const DISPLAY_PREFIX_LENGTH = TOKEN_PREFIX.length + 8;

export interface TokenSecret {
  /** Shown once to whoever created it, never stored. */
  token: string;
  prefix: string;
  hash: string;
}

export function newTokenSecret(): TokenSecret {
  const token = TOKEN_PREFIX + randomBytes(32).toString("base64url");
  return { token, prefix: token.slice(0, DISPLAY_PREFIX_LENGTH), hash: hashToken(token) };
}

export function hashToken(token: string): string {
  return createHash("sha256").update(token).digest("hex");
}
