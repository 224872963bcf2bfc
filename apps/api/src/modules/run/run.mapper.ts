import { DeviceRequirement, FailureKind, fromDbEnum, JobState } from "@distillery/domain";
import type { JobEntity } from "./job.entity";
import type { RunEntity } from "./run.entity";
import type { JobType, RunType } from "./run.type";

export function toRunType(entity: RunEntity): RunType {
  return {
    id: entity.id,
    number: entity.number,
    result: entity.result,
    createdBy: entity.createdBy,
    createdAt: entity.createdAt,
    experimentId: entity.experimentId,
    retryOfId: entity.retryOf,
  };
}

export function toJobType(entity: JobEntity): JobType {
  return {
    id: entity.id,
    state: fromDbEnum(JobState, entity.state),
    attempt: entity.attempt,
    maxAttempts: entity.maxAttempts,
    priority: entity.priority,
    leaseExpiresAt: entity.leaseExpiresAt,
    notBefore: entity.notBefore,
    cancelRequested: entity.cancelRequested,
    progress: entity.progress,
    failureKind: entity.failureKind ? fromDbEnum(FailureKind, entity.failureKind) : null,
    error: entity.error,
    runId: entity.runId,
    runnerId: entity.runnerId,
    requirements: {
      device: fromDbEnum(DeviceRequirement, entity.device),
      minMemoryGb: entity.minMemoryGb,
      labels: entity.labels,
      capabilities: entity.capabilities,
    },
    startedAt: entity.startedAt,
    finishedAt: entity.finishedAt,
  };
}
