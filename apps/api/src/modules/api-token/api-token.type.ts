import { Field, ID, ObjectType } from "type-graphql";
import { Scope } from "@distillery/domain";

@ObjectType("ApiToken", { description: "A token's record. The secret itself is shown once, at creation, and never stored." })
export class ApiTokenType {
  @Field(() => ID)
  id!: string;

  @Field()
  name!: string;

  @Field({ description: "The first characters of the token, to tell tokens apart." })
  prefix!: string;

  @Field(() => [Scope])
  scopes!: Scope[];

  @Field()
  owner!: string;

  @Field()
  createdAt!: Date;

  @Field(() => Date, { nullable: true })
  expiresAt!: Date | null;

  @Field(() => Date, { nullable: true })
  revokedAt!: Date | null;

  @Field(() => Date, { nullable: true })
  lastUsedAt!: Date | null;
}

@ObjectType("CreateApiTokenPayload")
export class CreateApiTokenPayload {
  @Field({ description: "The secret: shown this once." })
  token!: string;

  @Field(() => ApiTokenType)
  apiToken!: ApiTokenType;
}
