import type { GraphQLClient } from "@distillery/client";
import { type Linked, type LineageGraph, walkLineage } from "./lineage-graph";
import { versionsWithLinks } from "./model-operations";

/** The lineage around `start`, fetched from the API a level at a time. */
export function lineageAround(client: GraphQLClient, start: Linked[]): Promise<LineageGraph> {
  return walkLineage(start, (refs, direction) => versionsWithLinks(client, refs, direction));
}
