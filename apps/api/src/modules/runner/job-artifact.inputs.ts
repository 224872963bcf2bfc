import { Field, InputType } from "type-graphql";
import { GraphQLJSONObject, GraphQLSafeInt } from "graphql-scalars";
import { ModelFormat, ModelRole, Precision } from "@distillery/domain";
import { LineageParentInput } from "../model-version/model-version.inputs";

@InputType({ description: "A model version a job produced. Registering the same artifact of a run twice returns the first version." })
export class RegisterJobArtifactInput {
  @Field({ description: "The step's name for it, unique within the run, e.g. teacher-onnx." })
  artifact!: string;

  @Field({ description: "Created (with role and family) when it does not exist yet." })
  model!: string;

  @Field(() => ModelRole)
  role!: ModelRole;

  @Field({ defaultValue: "" })
  family!: string;

  @Field({ description: "sha256:<hex> of a blob the runner uploaded." })
  digest!: string;

  @Field(() => ModelFormat)
  format!: ModelFormat;

  @Field(() => Precision)
  precision!: Precision;

  @Field(() => GraphQLSafeInt, { nullable: true })
  params?: number | null;

  @Field(() => GraphQLJSONObject, { nullable: true })
  metadata?: Record<string, unknown> | null;

  @Field(() => [LineageParentInput], { defaultValue: [] })
  parents!: LineageParentInput[];
}
