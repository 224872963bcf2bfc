import { type ExperimentKind, validateExperimentSpec } from "@distillery/domain";

/**
 * Whether a spec file describes the stored experiment. The API stores specs with the kind's
 * defaults filled in, and PostgreSQL's jsonb does not keep key order, so both sides are compared
 * normalised (the same validation the API ran) and with their keys sorted.
 */
export function sameExperiment(stored: { kind: string; spec: Record<string, unknown> }, file: { kind: ExperimentKind; spec: Record<string, unknown> }): boolean {
  if (stored.kind !== file.kind) return false;
  let normalised: Record<string, unknown>;
  try {
    normalised = validateExperimentSpec(file.kind, file.spec);
  } catch {
    return false;
  }
  return canonicalJson(stored.spec) === canonicalJson(normalised);
}

function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, inner: unknown) =>
    inner && typeof inner === "object" && !Array.isArray(inner)
      ? Object.fromEntries(Object.entries(inner as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : inner,
  );
}
