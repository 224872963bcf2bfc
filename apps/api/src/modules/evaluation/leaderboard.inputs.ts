import { ArgsType, Field, InputType, Int, registerEnumType } from "type-graphql";
import { ModelRole, Precision } from "@distillery/domain";

export enum LeaderboardOrder {
  FID = "FID",
  LATENCY_P50 = "LATENCY_P50",
  PEAK_MEMORY = "PEAK_MEMORY",
  PARAMS = "PARAMS",
  SIZE = "SIZE",
}
registerEnumType(LeaderboardOrder, { name: "LeaderboardOrder", description: "Ties break by version id, in the same direction." });

export const DEFAULT_LEADERBOARD_PAGE = 50;
export const MAX_LEADERBOARD_PAGE = 500;

@InputType({ description: "Rows are compared for dominance only with the other rows that pass the filter." })
export class LeaderboardFilter {
  @Field(() => ModelRole, { nullable: true })
  role?: ModelRole | null;

  @Field(() => Precision, { nullable: true })
  precision?: Precision | null;

  @Field(() => String, { nullable: true, description: "The model's family, exactly." })
  family?: string | null;
}

@ArgsType()
export class LeaderboardArgs {
  @Field({ description: "The protocol's key." })
  protocol!: string;

  @Field(() => LeaderboardFilter, { nullable: true })
  filter?: LeaderboardFilter | null;

  @Field(() => LeaderboardOrder, { defaultValue: LeaderboardOrder.FID })
  orderBy!: LeaderboardOrder;

  @Field({ defaultValue: false })
  descending!: boolean;

  @Field({ defaultValue: false, description: "Only rows no other row dominates." })
  pareto!: boolean;

  @Field(() => Int, { defaultValue: DEFAULT_LEADERBOARD_PAGE, description: `1 to ${MAX_LEADERBOARD_PAGE}.` })
  first!: number;

  @Field(() => String, { nullable: true })
  after?: string | null;
}
