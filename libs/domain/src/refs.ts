import { DomainError } from "./errors";
import { isReservedAlias } from "./names";

/**
 * A ref names one model version:
 *   `student`            the newest READY version
 *   `student@v3`         version 3
 *   `student@latest`     same as `student`
 *   `student@production` whatever the alias points to
 */
export type VersionSelector =
  | { kind: "latest" }
  | { kind: "version"; version: number }
  | { kind: "alias"; alias: string };

export interface ParsedRef {
  model: string;
  selector: VersionSelector;
}

const REF = /^([a-z0-9][a-z0-9._-]{0,99})(?:@([a-z0-9][a-z0-9_-]{0,62}))?$/;

export function parseRef(ref: string): ParsedRef {
  const match = REF.exec(ref);
  if (!match) {
    throw new DomainError("INVALID_REF", `"${ref}" is not a ref: use name, name@v<N> or name@<alias>`, { ref });
  }
  const model = match[1]!;
  const suffix = match[2];
  if (suffix === undefined || suffix === "latest") return { model, selector: { kind: "latest" } };
  if (isReservedAlias(suffix)) {
    const version = Number(suffix.slice(1));
    if (!Number.isSafeInteger(version) || version < 1) {
      throw new DomainError("INVALID_REF", `"${ref}" names version ${suffix.slice(1)}; versions start at 1`, { ref });
    }
    return { model, selector: { kind: "version", version } };
  }
  return { model, selector: { kind: "alias", alias: suffix } };
}

export function formatRef(model: string, version: number): string {
  return `${model}@v${version}`;
}

/**
 * A dataset ref names one dataset version; datasets have no aliases:
 *   `fashion-mnist-train`         the newest version (so does `@latest`)
 *   `fashion-mnist-train@v2`      version 2
 * `version` is null for the newest.
 */
export interface ParsedDatasetRef {
  name: string;
  version: number | null;
}

const DATASET_REF = /^([a-z0-9][a-z0-9._-]{0,99})(?:@(latest|v\d+))?$/;

export function parseDatasetRef(ref: string): ParsedDatasetRef {
  const match = DATASET_REF.exec(ref);
  if (!match) {
    throw new DomainError("INVALID_REF", `"${ref}" is not a dataset ref: use name or name@v<N>`, { ref });
  }
  const name = match[1]!;
  const suffix = match[2];
  if (suffix === undefined || suffix === "latest") return { name, version: null };
  const version = Number(suffix.slice(1));
  if (!Number.isSafeInteger(version) || version < 1) {
    throw new DomainError("INVALID_REF", `"${ref}" names version ${suffix.slice(1)}; versions start at 1`, { ref });
  }
  return { name, version };
}
