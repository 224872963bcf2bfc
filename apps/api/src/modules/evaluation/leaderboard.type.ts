import { Field, Float, Int, ObjectType } from "type-graphql";
import { GraphQLSafeInt } from "graphql-scalars";
import { EvaluationMetricsType, EvaluationProtocolType, EvaluationType } from "./evaluation.type";

@ObjectType("LeaderboardRow", { description: "A version's newest evaluation under the protocol." })
export class LeaderboardRowType extends EvaluationMetricsType {
  /** Not exposed: resolved to `version`. */
  versionId!: string;

  @Field(() => EvaluationType)
  evaluation!: EvaluationType;

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
