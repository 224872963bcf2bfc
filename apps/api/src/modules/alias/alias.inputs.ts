import { Field, InputType, Int } from "type-graphql";

@InputType()
export class SetAliasInput {
  @Field()
  model!: string;

  @Field({ description: "Lower-case [a-z0-9][a-z0-9_-]{0,62}; latest and v<digits> are reserved." })
  alias!: string;

  @Field(() => Int, { description: "Version number the alias will point to." })
  version!: number;
}
