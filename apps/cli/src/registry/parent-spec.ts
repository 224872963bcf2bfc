import { parseRef } from "@distillery/domain";
import { oneOf } from "../cli/arguments";
import { UsageError } from "../cli/exit-codes";
import { type LineageRelation, RELATIONS } from "./version-record";

export interface ParentSpec {
  ref: string;
  relation: LineageRelation;
}

/**
 * `--parent REF:RELATION`, e.g. `fm-teacher@v2:distilled_from` (any case, `-` or `_`). Refs hold no
 * colon, so the last one separates the two.
 */
export function parseParentSpec(value: string): ParentSpec {
  const colon = value.lastIndexOf(":");
  if (colon <= 0) throw new UsageError(`--parent must be REF:RELATION (e.g. fm-teacher@v2:distilled_from), not "${value}"`);
  const ref = value.slice(0, colon);
  try {
    parseRef(ref);
  } catch (error) {
    throw new UsageError(`--parent ${value}: ${(error as Error).message}`);
  }
  const relation = oneOf("--parent's relation", value.slice(colon + 1).replace(/-/g, "_"), RELATIONS);
  return { ref, relation };
}
