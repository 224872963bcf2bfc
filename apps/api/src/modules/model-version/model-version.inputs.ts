import { ArgsType, Field, InputType, Int } from "type-graphql";
import { GraphQLJSONObject, GraphQLSafeInt } from "graphql-scalars";
import { LineageRelation, ModelFormat, Precision } from "@distillery/domain";
import { DEFAULT_PAGE_SIZE } from "../../graphql/connection";

@InputType()
export class LineageParentInput {
  @Field({ description: "Ref of the parent version: name, name@v<N> or name@<alias>." })
  ref!: string;

  @Field(() => LineageRelation)
  relation!: LineageRelation;

  @Field(() => GraphQLJSONObject, { nullable: true, description: "Defaults to {}." })
  recipe?: Record<string, unknown>;
}

@InputType()
export class RegisterModelVersionInput {
  @Field({ description: "Name of the model this version belongs to." })
  model!: string;

  @Field({ description: "sha256:<hex> of a blob uploaded with PUT /v1/blobs/sha256/<hex>." })
  digest!: string;

  @Field(() => ModelFormat)
  format!: ModelFormat;

  @Field(() => Precision)
  precision!: Precision;

  @Field(() => GraphQLSafeInt, { nullable: true })
  params?: number;

  @Field(() => GraphQLJSONObject, { nullable: true, description: "Defaults to {}." })
  metadata?: Record<string, unknown>;

  @Field(() => [LineageParentInput], { defaultValue: [] })
  parents!: LineageParentInput[];
}

@ArgsType()
export class VersionsArgs {
  @Field(() => Int, { defaultValue: DEFAULT_PAGE_SIZE, description: "1 to 100; newest first." })
  first!: number;

  @Field({ nullable: true })
  after?: string;
}
