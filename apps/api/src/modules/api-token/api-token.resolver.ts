import { Arg, Authorized, Ctx, ID, Mutation, Query, Resolver } from "type-graphql";
import { Scope } from "@distillery/domain";
import type { GraphQLContext } from "../../graphql/context";
import { CreateApiTokenInput } from "./api-token.inputs";
import { toApiTokenType } from "./api-token.mapper";
import { ApiTokenType, CreateApiTokenPayload } from "./api-token.type";

@Resolver(() => ApiTokenType)
export class ApiTokenResolver {
  @Authorized(Scope.READ)
  @Query(() => ApiTokenType, { description: "The token this request was made with." })
  async me(@Ctx() { services, principal }: GraphQLContext): Promise<ApiTokenType> {
    return toApiTokenType(await services.tokens.get(principal.tokenId));
  }

  @Authorized(Scope.ADMIN)
  @Query(() => [ApiTokenType], { description: "Every token, newest first, revoked ones included." })
  async apiTokens(@Ctx() { services }: GraphQLContext): Promise<ApiTokenType[]> {
    return (await services.tokens.list()).map(toApiTokenType);
  }

  @Authorized(Scope.ADMIN)
  @Mutation(() => CreateApiTokenPayload)
  async createApiToken(
    @Arg("input") input: CreateApiTokenInput,
    @Ctx() { services, principal }: GraphQLContext,
  ): Promise<CreateApiTokenPayload> {
    const { token, apiToken } = await services.tokens.create({
      name: input.name,
      scopes: input.scopes,
      owner: input.owner ?? principal.owner,
      expiresAt: input.expiresAt ?? null,
    });
    return { token, apiToken: toApiTokenType(apiToken) };
  }

  @Authorized(Scope.ADMIN)
  @Mutation(() => ApiTokenType, { description: "Idempotent; the token stops working at once." })
  async revokeApiToken(@Arg("id", () => ID) id: string, @Ctx() { services }: GraphQLContext): Promise<ApiTokenType> {
    return toApiTokenType(await services.tokens.revoke(id));
  }
}
