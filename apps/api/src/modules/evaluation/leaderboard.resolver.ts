import { Args, Authorized, Ctx, FieldResolver, Query, Resolver, Root } from "type-graphql";
import { Scope } from "@distillery/domain";
import type { GraphQLContext } from "../../graphql/context";
import { loadRequired } from "../../graphql/load-required";
import { toModelVersionType } from "../model-version/model-version.mapper";
import { ModelVersionType } from "../model-version/model-version.type";
import { toEvaluationProtocolType, toLeaderboardRowType } from "./evaluation.mapper";
import { LeaderboardArgs } from "./leaderboard.inputs";
import { LeaderboardPageType, LeaderboardRowType } from "./leaderboard.type";

@Resolver(() => LeaderboardRowType)
export class LeaderboardResolver {
  @Authorized(Scope.READ)
  @Query(() => LeaderboardPageType, {
    description:
      "The newest evaluation of every version under one protocol (PROTOCOL_NOT_FOUND for an unknown key), sorted, ties by version id.",
  })
  async leaderboard(@Args() args: LeaderboardArgs, @Ctx() { services }: GraphQLContext): Promise<LeaderboardPageType> {
    const page = await services.leaderboard.page(args);
    return {
      protocol: toEvaluationProtocolType(page.protocol),
      rows: page.rows.map(toLeaderboardRowType),
      totalCount: page.totalCount,
      endCursor: page.endCursor,
      hasNextPage: page.hasNextPage,
    };
  }

  @FieldResolver(() => ModelVersionType)
  async version(@Root() row: LeaderboardRowType, @Ctx() { loaders }: GraphQLContext): Promise<ModelVersionType> {
    return toModelVersionType(await loadRequired(loaders.versionById, row.versionId, "model version"));
  }
}
