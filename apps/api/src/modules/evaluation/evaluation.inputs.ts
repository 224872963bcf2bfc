import { Field, Float, ID, InputType, Int } from "type-graphql";
import { GraphQLJSONObject, GraphQLSafeInt } from "graphql-scalars";

@InputType({ description: "The benchmark settings; evaluations are only ranked against others with the same settings." })
export class EvaluationProtocolInput {
  @Field({ description: "The dataset the samples are compared with: a dataset ref or a description." })
  dataset!: string;

  @Field({ description: "Ref of the feature extractor (a model of role EXTRACTOR); the key uses the version it resolves to." })
  extractor!: string;

  @Field({ description: "sha256:<hex> of the reference statistics." })
  referenceStats!: string;

  @Field(() => Int, { description: "Images generated; at least 2." })
  samples!: number;

  @Field({ description: "e.g. ddim" })
  sampler!: string;

  @Field(() => Int, { description: "Sampler steps; at least 1." })
  steps!: number;

  @Field(() => Float, { description: "DDIM eta; at least 0." })
  eta!: number;

  @Field(() => Int, { description: "Side of the generated images in pixels; at least 1." })
  resolution!: number;

  @Field(() => Int, { description: "At least 1." })
  batch!: number;

  @Field(() => Int, { description: "At least 1." })
  threads!: number;

  @Field({ description: "Hardware class, e.g. cpu:AMD EPYC 7B13." })
  hardware!: string;
}

@InputType({ description: "What a job measured; posting the same version and protocol again within the run returns the first evaluation." })
export class PostEvaluationInput {
  @Field(() => ID)
  jobId!: string;

  @Field(() => ID)
  leaseId!: string;

  @Field({ description: "Ref of the evaluated model version." })
  version!: string;

  @Field(() => EvaluationProtocolInput)
  protocol!: EvaluationProtocolInput;

  @Field(() => Float, { description: "At least 0." })
  fid!: number;

  @Field(() => Float, { description: "Latency in milliseconds, median; at least 0." })
  latencyP50Ms!: number;

  @Field(() => Float, { description: "Latency in milliseconds, 95th percentile; at least latencyP50Ms." })
  latencyP95Ms!: number;

  @Field(() => Float, { description: "Images per second; at least 0." })
  throughput!: number;

  @Field(() => GraphQLSafeInt)
  peakMemoryBytes!: number;

  @Field(() => GraphQLSafeInt, { description: "Parameter count." })
  params!: number;

  @Field(() => GraphQLJSONObject, { nullable: true, description: "Per-variant extras (sampler overhead, output error, …); at most 64 KiB." })
  details?: Record<string, unknown> | null;
}
