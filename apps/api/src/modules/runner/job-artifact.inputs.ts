import { Field, InputType } from "type-graphql";
import { ModelRole } from "@distillery/domain";
import { RegisterModelVersionInput } from "../model-version/model-version.inputs";

@InputType({ description: "A model version a job produced. Registering the same artifact of a run twice returns the first version." })
export class RegisterJobArtifactInput extends RegisterModelVersionInput {
  @Field({ description: "The step's name for it, unique within the run, e.g. teacher-onnx." })
  artifact!: string;

  @Field(() => ModelRole, { description: "Used when the model does not exist yet (it is created)." })
  role!: ModelRole;

  @Field({ defaultValue: "" })
  family!: string;
}
