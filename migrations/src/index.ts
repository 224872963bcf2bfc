import { Registry1764320000000 } from "./1764320000000-registry";
import { Runs1764400000000 } from "./1764400000000-runs";
import { RunArtifacts1764480000000 } from "./1764480000000-run-artifacts";
import { Datasets1764560000000 } from "./1764560000000-datasets";
import { Evaluations1764640000000 } from "./1764640000000-evaluations";

/** Listed explicitly, in order: migration globs do not survive bundlers and Vitest. */
export const migrations = [Registry1764320000000, Runs1764400000000, RunArtifacts1764480000000, Datasets1764560000000, Evaluations1764640000000];
export { schemaSnapshotPath } from "./snapshot-path";
