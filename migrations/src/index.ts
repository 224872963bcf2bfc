import { Registry1764320000000 } from "./1764320000000-registry";

/** Listed explicitly, in order: migration globs do not survive bundlers and Vitest. */
export const migrations = [Registry1764320000000];
export { schemaSnapshotPath } from "./snapshot-path";
