import { ArgsType, Field, InputType, Int } from "type-graphql";
import { ModelRole } from "@distillery/domain";
import { DEFAULT_PAGE_SIZE } from "../../graphql/connection";

@InputType()
export class CreateModelInput {
  @Field()
  name!: string;

  @Field(() => ModelRole)
  role!: ModelRole;

  @Field({ defaultValue: "" })
  family!: string;

  @Field({ defaultValue: "" })
  description!: string;

  @Field(() => [String], { defaultValue: [] })
  tags!: string[];
}

@InputType({ description: "Fields left out stay as they are. A model's name never changes: refs depend on it." })
export class UpdateModelInput {
  @Field()
  name!: string;

  @Field(() => ModelRole, { nullable: true })
  role?: ModelRole;

  @Field({ nullable: true })
  family?: string;

  @Field({ nullable: true })
  description?: string;

  @Field(() => [String], { nullable: true })
  tags?: string[];
}

@InputType()
export class ModelFilter {
  @Field(() => ModelRole, { nullable: true })
  role?: ModelRole;

  @Field({ nullable: true, description: "Case-insensitive substring of the name." })
  nameContains?: string;

  @Field({ nullable: true })
  tag?: string;
}

@ArgsType()
export class ModelsArgs {
  @Field(() => Int, { defaultValue: DEFAULT_PAGE_SIZE, description: "1 to 100." })
  first!: number;

  @Field({ nullable: true })
  after?: string;

  @Field(() => ModelFilter, { nullable: true })
  filter?: ModelFilter;
}
