import { Field, Float, ID, Int, ObjectType } from "type-graphql";
import { GraphQLSafeInt } from "graphql-scalars";
import { DeviceKind } from "@distillery/domain";

@ObjectType("RunnerDevice")
export class RunnerDeviceType {
  @Field(() => DeviceKind)
  kind!: DeviceKind;

  @Field()
  name!: string;

  @Field(() => Float)
  memoryGb!: number;
}

@ObjectType("Runner")
export class RunnerType {
  @Field(() => ID)
  id!: string;

  @Field()
  name!: string;

  @Field(() => [String])
  labels!: string[];

  @Field(() => [String])
  capabilities!: string[];

  @Field(() => RunnerDeviceType)
  device!: RunnerDeviceType;

  @Field()
  lastSeenAt!: Date;

  @Field({ description: "Seen (polling or heartbeating) within the last minute, on the database clock." })
  online!: boolean;
}

@ObjectType("JobLease", { description: "A job handed to a runner: everything it needs to run it." })
export class JobLeaseType {
  @Field(() => ID, { description: "Fences every job-scoped call: a stale one gets LEASE_LOST." })
  leaseId!: string;

  @Field()
  leaseExpiresAt!: Date;

  @Field(() => Int, { description: "Heartbeat at least every leaseSeconds / 6." })
  leaseSeconds!: number;

  jobId!: string;
  runId!: string;
}

@ObjectType("HeartbeatPayload")
export class HeartbeatPayload {
  @Field({ description: "Stop the job: SIGTERM, then SIGKILL, then failJob." })
  cancelRequested!: boolean;

  @Field()
  leaseExpiresAt!: Date;
}

@ObjectType("LogMetricsPayload")
export class LogMetricsPayload {
  @Field(() => Int, { description: "Points stored now; points already present are skipped." })
  accepted!: number;

  @Field({ description: "This batchId was stored before: nothing was added." })
  duplicate!: boolean;
}

@ObjectType("AppendLogsPayload")
export class AppendLogsPayload {
  @Field(() => GraphQLSafeInt, { description: "The log's length in bytes: the offset of the next chunk." })
  nextOffset!: number;
}
