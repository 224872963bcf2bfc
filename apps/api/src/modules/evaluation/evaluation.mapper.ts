import type { EvaluationProtocolEntity } from "./evaluation-protocol.entity";
import type { EvaluationEntity } from "./evaluation.entity";
import type { EvaluationProtocolType, EvaluationType } from "./evaluation.type";
import type { LeaderboardRow } from "./leaderboard.service";
import type { LeaderboardRowType } from "./leaderboard.type";

export function toEvaluationType(entity: EvaluationEntity): EvaluationType {
  return {
    id: entity.id,
    versionId: entity.versionId,
    protocolId: entity.protocolId,
    runId: entity.runId,
    fid: entity.fid,
    latencyP50Ms: entity.latencyP50Ms,
    latencyP95Ms: entity.latencyP95Ms,
    throughput: entity.throughput,
    peakMemoryBytes: entity.peakMemoryBytes,
    params: entity.params,
    sizeBytes: entity.sizeBytes,
    details: entity.details,
    createdAt: entity.createdAt,
  };
}

export function toEvaluationProtocolType(entity: EvaluationProtocolEntity): EvaluationProtocolType {
  return {
    id: entity.id,
    extractorVersionId: entity.extractorVersionId,
    key: entity.key,
    dataset: entity.dataset,
    referenceStats: entity.referenceStatsDigest,
    samples: entity.samples,
    sampler: entity.sampler,
    steps: entity.steps,
    eta: entity.eta,
    resolution: entity.resolution,
    batch: entity.batch,
    threads: entity.threads,
    hardware: entity.hardware,
    createdAt: entity.createdAt,
  };
}

export function toLeaderboardRowType(row: LeaderboardRow): LeaderboardRowType {
  const evaluation = toEvaluationType(row.evaluation);
  return {
    versionId: row.versionId,
    evaluation,
    fid: evaluation.fid,
    latencyP50Ms: evaluation.latencyP50Ms,
    latencyP95Ms: evaluation.latencyP95Ms,
    throughput: evaluation.throughput,
    peakMemoryBytes: evaluation.peakMemoryBytes,
    params: evaluation.params,
    sizeBytes: evaluation.sizeBytes,
    dominated: row.dominated,
  };
}
