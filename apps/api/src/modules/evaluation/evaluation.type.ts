import { Field, Float, ID, Int, ObjectType } from "type-graphql";
import { GraphQLJSONObject, GraphQLSafeInt } from "graphql-scalars";

@ObjectType("EvaluationProtocol", { description: "Benchmark settings. Evaluations are only ranked against others of the same protocol." })
export class EvaluationProtocolType {
  /** Not exposed: resolved to `extractor`. */
  id!: string;
  extractorVersionId!: string;

  @Field({ description: "sha256 hex of the canonical JSON of the settings (keys sorted, the extractor as its version id)." })
  key!: string;

  @Field()
  dataset!: string;

  @Field({ description: "sha256:<hex> of the reference statistics." })
  referenceStats!: string;

  @Field(() => Int)
  samples!: number;

  @Field()
  sampler!: string;

  @Field(() => Int)
  steps!: number;

  @Field(() => Float)
  eta!: number;

  @Field(() => Int)
  resolution!: number;

  @Field(() => Int)
  batch!: number;

  @Field(() => Int)
  threads!: number;

  @Field()
  hardware!: string;

  @Field()
  createdAt!: Date;
}

/** What an evaluation measured: an Evaluation's fields, and a leaderboard row's. */
// Not reachable from any field, so type-graphql (2.x) leaves it out of the schema: only the subclasses appear.
@ObjectType()
export abstract class EvaluationMetricsType {
  @Field(() => Float)
  fid!: number;

  @Field(() => Float)
  latencyP50Ms!: number;

  @Field(() => Float)
  latencyP95Ms!: number;

  @Field(() => Float, { description: "Images per second." })
  throughput!: number;

  @Field(() => GraphQLSafeInt)
  peakMemoryBytes!: number;

  @Field(() => GraphQLSafeInt, { description: "Parameter count." })
  params!: number;

  @Field(() => GraphQLSafeInt, { description: "The version's size in bytes when it was evaluated." })
  sizeBytes!: number;
}

@ObjectType("Evaluation", { description: "What one run measured for one model version under one protocol." })
export class EvaluationType extends EvaluationMetricsType {
  @Field(() => ID)
  id!: string;

  /** Not exposed: resolved to `version`, `protocol` and `run`. */
  versionId!: string;
  protocolId!: string;
  runId!: string | null;


  @Field(() => GraphQLJSONObject, { nullable: true, description: "Per-variant extras the runner sent; an empty object when it sent none." })
  details!: Record<string, unknown> | null;

  @Field()
  createdAt!: Date;
}
