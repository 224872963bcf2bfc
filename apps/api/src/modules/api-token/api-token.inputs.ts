import { Field, InputType } from "type-graphql";
import { Scope } from "@distillery/domain";

@InputType()
export class CreateApiTokenInput {
  @Field()
  name!: string;

  @Field(() => [Scope])
  scopes!: Scope[];

  @Field(() => Date, { nullable: true, description: "Absent: the token does not expire." })
  expiresAt?: Date | null;

  @Field({ nullable: true, description: "Who the token acts for; defaults to the caller's owner." })
  owner?: string;
}
