import type { EvaluationMeasurements, EvaluationProtocolFields } from "@distillery/domain";
import type { Column } from "../cli/output";
import { formatBytes } from "../cli/output";

/** A protocol as the API lists it: the settings, its key, and its extractor as a version. */
export interface ProtocolSettings extends Omit<EvaluationProtocolFields, "extractor" | "referenceStats"> {
  key: string;
  extractor: { ref: string } | null;
  evaluationCount: number;
}

export const PROTOCOL_FIELDS = "key dataset extractor { ref } samples sampler steps eta resolution batch threads hardware evaluationCount";

export interface LeaderboardRow extends EvaluationMeasurements {
  version: { ref: string; precision: string; model: { name: string; role: string } };
  sizeBytes: number;
  dominated: boolean;
}

export const ROW_FIELDS = "version { ref precision model { name role } } fid latencyP50Ms latencyP95Ms throughput peakMemoryBytes params sizeBytes dominated";

/** The settings every row was measured under, in one line above the table. */
export function describeProtocol(protocol: ProtocolSettings): string {
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

/** 950, 12.3K, 4.5M, 1.2B: parameter counts as papers write them. */
export function formatCount(count: number): string {
  const units: Array<[number, string]> = [
    [1e9, "B"],
    [1e6, "M"],
    [1e3, "K"],
  ];
  for (const [size, suffix] of units) if (count >= size) return `${(count / size).toFixed(1)}${suffix}`;
  return String(count);
}
