import { Field, ID, Int, ObjectType } from "type-graphql";
import { GraphQLJSONObject, GraphQLSafeInt } from "graphql-scalars";
import { LineageRelation, ModelFormat, Precision, VersionStatus } from "@distillery/domain";
import { ConnectionType } from "../../graphql/connection";

@ObjectType("ModelVersion")
export class ModelVersionType {
  @Field(() => ID)
  id!: string;

  /** Not exposed: resolved to `model` and `ref` through the per-request loader. */
  modelId!: string;

  /** Not exposed: resolved to `producedBy`. */
  producedByRunId!: string | null;

  @Field(() => Int)
  version!: number;

  @Field(() => VersionStatus)
  status!: VersionStatus;

  @Field(() => ModelFormat)
  format!: ModelFormat;

  @Field(() => Precision)
  precision!: Precision;

  @Field({ description: "sha256:<hex> of the artifact's bytes." })
  digest!: string;

  @Field(() => GraphQLSafeInt)
  sizeBytes!: number;

  @Field(() => GraphQLSafeInt, { nullable: true, description: "Parameter count." })
  params!: number | null;

  @Field(() => GraphQLJSONObject, { description: "Architecture configuration and anything else the producer recorded." })
  metadata!: Record<string, unknown>;

  @Field()
  createdBy!: string;

  @Field()
  createdAt!: Date;
}

@ObjectType("LineageEdge", { description: "One edge of the lineage graph, seen from the other end." })
export class LineageEdgeType {
  @Field(() => LineageRelation)
  relation!: LineageRelation;

  @Field(() => GraphQLJSONObject, { description: "How the child was made: strategy, quantization settings, …" })
  recipe!: Record<string, unknown>;

  /** The version at the other end of the edge. */
  versionId!: string;
}

export const ModelVersionConnection = ConnectionType(ModelVersionType, "ModelVersion");
export type ModelVersionConnection = InstanceType<typeof ModelVersionConnection>;
