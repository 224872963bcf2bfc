import { join } from "node:path";

/** The committed description of the schema the migrations produce, compared in a test. */
export const schemaSnapshotPath = join(__dirname, "..", "schema.snapshot.txt");
