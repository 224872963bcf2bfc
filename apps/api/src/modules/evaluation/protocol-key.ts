import { createHash } from "node:crypto";
import type { EvaluationProtocolFields } from "@distillery/domain";

/** A protocol's settings as they enter its key: the extractor is the version id its ref resolved to. */
export type ProtocolFields = EvaluationProtocolFields;

/** JSON with keys sorted, no whitespace: equal settings give equal text. */
export function canonicalJson(fields: ProtocolFields): string {
  const entries = Object.entries(fields).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return JSON.stringify(Object.fromEntries(entries));
}

/** sha256 hex of the canonical JSON. */
export function protocolKey(fields: ProtocolFields): string {
  return createHash("sha256").update(canonicalJson(fields)).digest("hex");
}
