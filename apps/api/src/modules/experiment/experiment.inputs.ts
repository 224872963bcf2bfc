import { ArgsType, Field, InputType, Int } from "type-graphql";
import { GraphQLJSONObject } from "graphql-scalars";
import { ExperimentKind } from "@distillery/domain";
import { DEFAULT_PAGE_SIZE } from "../../graphql/connection";

@InputType()
export class CreateExperimentInput {
  @Field({ description: "Unique; same rules as model names." })
  name!: string;

  @Field(() => ExperimentKind)
  kind!: ExperimentKind;

  @Field(() => GraphQLJSONObject, { description: "Validated against the kind's schema (libs/domain)." })
  spec!: Record<string, unknown>;

  @Field(() => [String], { defaultValue: [] })
  tags!: string[];
}

@InputType()
export class ExperimentFilter {
  @Field(() => ExperimentKind, { nullable: true })
  kind?: ExperimentKind | null;

  @Field(() => String, { nullable: true })
  nameContains?: string | null;

  @Field(() => String, { nullable: true })
  tag?: string | null;
}

@ArgsType()
export class ExperimentsArgs {
  @Field(() => Int, { defaultValue: DEFAULT_PAGE_SIZE, description: "1 to 100; newest first." })
  first!: number;

  @Field(() => String, { nullable: true })
  after?: string | null;

  @Field(() => ExperimentFilter, { nullable: true })
  filter?: ExperimentFilter | null;
}
