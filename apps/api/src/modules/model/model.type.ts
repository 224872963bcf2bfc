import { Field, ID, ObjectType } from "type-graphql";
import { ModelRole } from "@distillery/domain";
import { ConnectionType } from "../../graphql/connection";

@ObjectType("Model")
export class ModelType {
  @Field(() => ID)
  id!: string;

  @Field({ description: "Unique slug; refs are name, name@v<N> or name@<alias>." })
  name!: string;

  @Field(() => ModelRole)
  role!: ModelRole;

  @Field({ description: "Architecture family, e.g. unet-sd15." })
  family!: string;

  @Field()
  description!: string;

  @Field(() => [String])
  tags!: string[];

  @Field()
  createdBy!: string;

  @Field()
  createdAt!: Date;

  @Field()
  updatedAt!: Date;
}

export const ModelConnection = ConnectionType(ModelType, "Model");
export type ModelConnection = InstanceType<typeof ModelConnection>;
