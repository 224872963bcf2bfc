import { Field, Float, InputType } from "type-graphql";
import { GraphQLSafeInt } from "graphql-scalars";
import { DeviceKind } from "@distillery/domain";

@InputType()
export class RunnerDeviceInput {
  @Field(() => DeviceKind)
  kind!: DeviceKind;

  @Field({ defaultValue: "" })
  name!: string;

  @Field(() => Float, { defaultValue: 0 })
  memoryGb!: number;
}

@InputType()
export class RegisterRunnerInput {
  @Field({ description: "Unique; registering the same name again updates that runner (a restart keeps its id)." })
  name!: string;

  @Field(() => [String], { defaultValue: [] })
  labels!: string[];

  @Field(() => [String], { defaultValue: [], description: "e.g. command (runs command jobs), torch (PyTorch importable)." })
  capabilities!: string[];

  @Field(() => RunnerDeviceInput)
  device!: RunnerDeviceInput;
}

@InputType()
export class MetricPointInput {
  @Field()
  key!: string;

  @Field(() => GraphQLSafeInt)
  step!: number;

  @Field(() => Float)
  value!: number;

  @Field(() => Date, { nullable: true, description: "When the point was measured; defaults to when the server stored it." })
  time?: Date | null;
}
