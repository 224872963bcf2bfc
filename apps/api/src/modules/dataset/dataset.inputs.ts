import { ArgsType, Field, InputType, Int } from "type-graphql";
import { DatasetFormat } from "@distillery/domain";
import { DEFAULT_PAGE_SIZE } from "../../graphql/connection";

@InputType()
export class RegisterDatasetInput {
  @Field({ description: "Same rules as model names; registering a name again makes its next version." })
  name!: string;

  @Field({ description: "sha256:<hex> of a blob uploaded with PUT /v1/blobs/sha256/<hex>." })
  digest!: string;

  @Field(() => DatasetFormat, { defaultValue: DatasetFormat.NPZ })
  format!: DatasetFormat;

  @Field(() => Int, { description: "Number of images; at least 1." })
  sampleCount!: number;

  @Field(() => [Int], { description: "(C, H, W) of one image: 1 to 4 channels, sides of 1 to 8192." })
  imageShape!: number[];

  @Field(() => [String], { description: "Label i is classNames[i]: 1 to 10000 distinct, non-empty names." })
  classNames!: string[];

  @Field({ defaultValue: "" })
  description!: string;
}

@ArgsType()
export class DatasetsArgs {
  @Field(() => Int, { defaultValue: DEFAULT_PAGE_SIZE, description: "1 to 100; newest first." })
  first!: number;

  @Field(() => String, { nullable: true })
  after?: string | null;
}
