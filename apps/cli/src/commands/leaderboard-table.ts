import type { LeaderboardRow, ProtocolSummary } from "@distillery/client";
import { formatBytes, formatCount } from "@distillery/domain";
import type { Column } from "../cli/output";

/** The settings every row was measured under, in one line above the table. */
export function describeProtocol(protocol: ProtocolSummary): string {
  const versions = `${protocol.evaluationCount} version${protocol.evaluationCount === 1 ? "" : "s"}`;
  const extractor = protocol.extractor ? `, FID features of ${protocol.extractor.ref}` : "";
  return (
    `protocol ${protocol.key.slice(0, 12)} (${versions}): ${protocol.samples} samples of ${protocol.dataset} at ${protocol.resolution}px` +
    `${extractor}, ${protocol.sampler} ${protocol.steps} steps eta ${protocol.eta}, batch ${protocol.batch}, ${protocol.threads} threads on ${protocol.hardware}`
  );
}

const MIB = 1024 * 1024;

export const LEADERBOARD_COLUMNS: readonly Column<LeaderboardRow>[] = [
  { header: "version", value: (row) => row.version.ref },
  { header: "role", value: (row) => row.version.model.role },
  { header: "precision", value: (row) => row.version.precision },
  { header: "params", value: (row) => formatCount(row.params), align: "right" },
  { header: "fid", value: (row) => row.fid.toFixed(2), align: "right" },
  { header: "p50_ms", value: (row) => row.latencyP50Ms.toFixed(1), align: "right" },
  { header: "p95_ms", value: (row) => row.latencyP95Ms.toFixed(1), align: "right" },
  { header: "img/s", value: (row) => row.throughput.toFixed(1), align: "right" },
  { header: "peak_mib", value: (row) => (row.peakMemoryBytes / MIB).toFixed(1), align: "right" },
  { header: "size", value: (row) => formatBytes(row.sizeBytes), align: "right" },
  { header: "dominated", value: (row) => row.dominated },
];
