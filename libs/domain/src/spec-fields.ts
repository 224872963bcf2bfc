// Fields several experiment kinds share (experiment-specs.ts, evaluation-specs.ts).
import { z } from "zod";
import { parseDatasetRef, parseRef } from "./refs";

/** A model name as the registry stores it. */
export const slug = z.string().regex(/^[a-z0-9][a-z0-9._-]{0,99}$/, "a lower-case name: a-z, 0-9, '.', '_', '-'");

/** A ref the registry can resolve: name, name@v<N> or name@<alias> (see refs.ts). */
export const ref = z.string().refine((value) => {
  try {
    parseRef(value);
    return true;
  } catch {
    return false;
  }
}, "a ref: name, name@v<N> or name@<alias>");

/** A dataset ref: name (the newest version) or name@v<N> (see refs.ts). */
export const datasetRef = z.string().refine((value) => {
  try {
    parseDatasetRef(value);
    return true;
  } catch {
    return false;
  }
}, "a dataset ref: name or name@v<N>");

export const device = z.enum(["cpu", "cuda", "any"]).default("any");
export const timeoutSeconds = z.number().int().positive().max(7 * 24 * 3600).default(24 * 3600);
