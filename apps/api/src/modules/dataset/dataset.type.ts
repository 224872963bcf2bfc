import { Field, ID, Int, ObjectType } from "type-graphql";
import { GraphQLSafeInt } from "graphql-scalars";
import { DatasetFormat } from "@distillery/domain";
import { ConnectionType } from "../../graphql/connection";

@ObjectType("Dataset", { description: "A versioned, content-addressed dataset: an .npz of images, labels and class names." })
export class DatasetType {
  @Field(() => ID)
  id!: string;

  @Field({ description: "Shared by every version; refs are name (the newest version) or name@v<N>." })
  name!: string;

  @Field(() => Int)
  version!: number;

  @Field({ description: "name@v<N>: the stable ref of this version." })
  ref!: string;

  @Field({ description: "sha256:<hex> of the dataset's bytes." })
  digest!: string;

  @Field(() => GraphQLSafeInt)
  sizeBytes!: number;

  @Field(() => DatasetFormat)
  format!: DatasetFormat;

  @Field(() => Int)
  sampleCount!: number;

  @Field(() => [Int], { description: "(C, H, W) of one image." })
  imageShape!: number[];

  @Field(() => [String], { description: "Label i is classNames[i]." })
  classNames!: string[];

  @Field()
  description!: string;

  @Field()
  createdBy!: string;

  @Field()
  createdAt!: Date;
}

export const DatasetConnection = ConnectionType(DatasetType, "Dataset");
export type DatasetConnection = InstanceType<typeof DatasetConnection>;
