import { Field, ID, ObjectType } from "type-graphql";
import { GraphQLJSONObject } from "graphql-scalars";
import { ExperimentKind } from "@distillery/domain";
import { ConnectionType } from "../../graphql/connection";

@ObjectType("Experiment")
export class ExperimentType {
  @Field(() => ID)
  id!: string;

  @Field()
  name!: string;

  @Field(() => ExperimentKind)
  kind!: ExperimentKind;

  @Field(() => GraphQLJSONObject, { description: "The spec as validated, with the kind's defaults filled in." })
  spec!: Record<string, unknown>;

  @Field(() => [String])
  tags!: string[];

  @Field()
  createdBy!: string;

  @Field()
  createdAt!: Date;
}

export const ExperimentConnection = ConnectionType(ExperimentType, "Experiment");
export type ExperimentConnection = InstanceType<typeof ExperimentConnection>;
