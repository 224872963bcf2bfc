import { Field, Float, Int, ObjectType } from "type-graphql";
import { GraphQLSafeInt } from "graphql-scalars";
import { EvaluationProtocolType, EvaluationType } from "./evaluation.type";

@ObjectType("LeaderboardRow", { description: "A version's newest evaluation under the protocol." })
export class LeaderboardRowType {
  /** Not exposed: resolved to `version`. */
  versionId!: string;

  @Field(() => EvaluationType)
  evaluation!: EvaluationType;

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

  @Field(() => GraphQLSafeInt)
  params!: number;

  @Field(() => GraphQLSafeInt)
  sizeBytes!: number;

  @Field({
    description:
      "Another row of the same protocol and filter is no worse on fid, latencyP50Ms and peakMemoryBytes and better on at least one.",
  })
  dominated!: boolean;
}

@ObjectType("LeaderboardPage")
export class LeaderboardPageType {
  @Field(() => [LeaderboardRowType])
  rows!: LeaderboardRowType[];

  @Field(() => Int, { description: "Rows of every page: those that pass the filter (and pareto)." })
  totalCount!: number;

  @Field(() => String, { nullable: true, description: "Pass as `after` for the next page; null on an empty page." })
  endCursor!: string | null;

  @Field()
  hasNextPage!: boolean;

  @Field(() => EvaluationProtocolType)
  protocol!: EvaluationProtocolType;
}
