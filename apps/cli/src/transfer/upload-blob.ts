import type { Connection } from "../cli/connection";
import { blobIsStored } from "./blob-presence";

export interface UploadOutcome {
  /** False when the API had these bytes already and none were sent. */
  uploaded: boolean;
  seconds: number;
}

/** Sends the file to PUT /v1/blobs/sha256/<hex> unless a HEAD says the API has it; streamed, never read whole. */
export async function uploadBlob(connection: Connection, hex: string, path: string, signal: AbortSignal): Promise<UploadOutcome> {
  const started = Date.now();
  if (await blobIsStored(connection.apiUrl, connection.graphql.authorization(), hex)) return { uploaded: false, seconds: 0 };
  // The API answers 200 instead of 201 when another upload stored the same bytes in between.
  const stored = await connection.blobs.put(hex, path, signal);
  return { uploaded: stored.created, seconds: (Date.now() - started) / 1000 };
}
