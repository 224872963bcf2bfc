import { Field, ObjectType } from "type-graphql";
import { GraphQLSafeInt } from "graphql-scalars";

@ObjectType("Blob", { description: "Content-addressed bytes; upload and download over /v1/blobs/sha256/<hex>." })
export class BlobType {
  @Field({ description: "sha256:<hex>" })
  digest!: string;

  @Field(() => GraphQLSafeInt)
  sizeBytes!: number;

  @Field()
  mediaType!: string;

  @Field()
  createdAt!: Date;
}
