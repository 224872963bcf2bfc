import { ArgsType, Field, Float, ID, InputType, Int } from "type-graphql";
import { GraphQLSafeInt } from "graphql-scalars";
import { DeviceRequirement, RunStatus } from "@distillery/domain";
import { DEFAULT_PAGE_SIZE } from "../../graphql/connection";

@InputType()
export class RunRequirementsInput {
  @Field(() => DeviceRequirement, { defaultValue: DeviceRequirement.ANY })
  device!: DeviceRequirement;

  @Field(() => Float, { defaultValue: 0 })
  minMemoryGb!: number;

  @Field(() => [String], { defaultValue: [], description: "The runner must carry every one of these labels." })
  labels!: string[];
}

@InputType()
export class LaunchExperimentInput {
  @Field(() => ID)
  experiment!: string;

  @Field(() => RunRequirementsInput, { nullable: true })
  requirements?: RunRequirementsInput | null;

  @Field(() => Int, { defaultValue: 0, description: "Higher runs first." })
  priority!: number;

  @Field(() => Int, { defaultValue: 3, description: "Leases before the job is DEAD (infrastructure failures and lost leases)." })
  maxAttempts!: number;
}

@InputType()
export class RunFilter {
  @Field(() => ID, { nullable: true })
  experiment?: string | null;

  @Field(() => RunStatus, { nullable: true })
  status?: RunStatus | null;
}

@ArgsType()
export class RunsArgs {
  @Field(() => Int, { defaultValue: DEFAULT_PAGE_SIZE, description: "1 to 100; newest first." })
  first!: number;

  @Field(() => String, { nullable: true })
  after?: string | null;

  @Field(() => RunFilter, { nullable: true })
  filter?: RunFilter | null;
}

@ArgsType()
export class MetricsArgs {
  @Field(() => [String], { nullable: true, description: "Absent: every key of the run." })
  keys?: string[] | null;

  @Field(() => Int, { defaultValue: 1000, description: "Per key, 4 to 20000: longer series are downsampled (each bucket's min and max, first and last point kept)." })
  maxPoints!: number;
}

@ArgsType()
export class LogsArgs {
  @Field(() => GraphQLSafeInt, { defaultValue: 0, description: "UTF-8 byte offset." })
  offset!: number;

  @Field(() => Int, { defaultValue: 65536, description: "At most this many bytes, up to 1 MiB." })
  limit!: number;
}
