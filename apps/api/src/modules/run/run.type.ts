import { Field, Float, ID, Int, ObjectType } from "type-graphql";
import { GraphQLJSONObject, GraphQLSafeInt } from "graphql-scalars";
import { DeviceRequirement, FailureKind, JobState, RunStatus } from "@distillery/domain";
import { ConnectionType } from "../../graphql/connection";

@ObjectType("RunRequirements", { description: "What a runner must offer to take the run's job." })
export class RunRequirementsType {
  @Field(() => DeviceRequirement)
  device!: DeviceRequirement;

  @Field(() => Float)
  minMemoryGb!: number;

  @Field(() => [String])
  labels!: string[];

  @Field(() => [String], { description: "Implied by the experiment's kind, e.g. command or torch." })
  capabilities!: string[];
}

@ObjectType("Job", { description: "The queue entry behind a run." })
export class JobType {
  @Field(() => ID)
  id!: string;

  @Field(() => JobState)
  state!: JobState;

  @Field(() => Int, { description: "How many times the job has been leased." })
  attempt!: number;

  @Field(() => Int)
  maxAttempts!: number;

  @Field(() => Int)
  priority!: number;

  @Field(() => Date, { nullable: true })
  leaseExpiresAt!: Date | null;

  @Field({ description: "Not handed out before this time (retry backoff)." })
  notBefore!: Date;

  @Field()
  cancelRequested!: boolean;

  @Field(() => Float, { nullable: true, description: "0..1 as last reported by the runner." })
  progress!: number | null;

  @Field(() => FailureKind, { nullable: true })
  failureKind!: FailureKind | null;

  @Field(() => String, { nullable: true })
  error!: string | null;

  runId!: string;
  runnerId!: string | null;
  requirements!: RunRequirementsType;
  startedAt!: Date | null;
  finishedAt!: Date | null;
}

@ObjectType("Run")
export class RunType {
  @Field(() => ID)
  id!: string;

  @Field(() => Int, { description: "1, 2, … within the experiment." })
  number!: number;

  @Field(() => GraphQLJSONObject, { nullable: true, description: "What the job reported when it completed." })
  result!: Record<string, unknown> | null;

  @Field()
  createdBy!: string;

  @Field()
  createdAt!: Date;

  experimentId!: string;
  retryOfId!: string | null;
}

@ObjectType("MetricPoint")
export class MetricPointType {
  @Field(() => GraphQLSafeInt)
  step!: number;

  @Field(() => Float)
  value!: number;

  @Field()
  time!: Date;
}

@ObjectType("MetricSeries")
export class MetricSeriesType {
  @Field()
  key!: string;

  @Field(() => GraphQLSafeInt, { description: "Points stored for this key; `points` may hold fewer (downsampled)." })
  totalPoints!: number;

  @Field(() => [MetricPointType], { description: "Ordered by step." })
  points!: MetricPointType[];
}

@ObjectType("RunLogs", { description: "A slice of the run's log; offsets count UTF-8 bytes." })
export class RunLogsType {
  @Field(() => GraphQLSafeInt)
  offset!: number;

  @Field(() => GraphQLSafeInt, { description: "Where the next read should start." })
  nextOffset!: number;

  @Field(() => GraphQLSafeInt)
  totalBytes!: number;

  @Field()
  text!: string;
}

export const RunConnection = ConnectionType(RunType, "Run");
export type RunConnection = InstanceType<typeof RunConnection>;

