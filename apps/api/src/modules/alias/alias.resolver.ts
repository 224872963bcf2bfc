import { Arg, Authorized, Ctx, FieldResolver, Mutation, Resolver, Root, Subscription } from "type-graphql";
import { Scope } from "@distillery/domain";
import type { GraphQLContext } from "../../graphql/context";
import { loadRequired } from "../../graphql/load-required";
import { toModelVersionType } from "../model-version/model-version.mapper";
import { ModelVersionType } from "../model-version/model-version.type";
import { ALIAS_CHANGED, type AliasChangedMessage } from "./alias.events";
import { SetAliasInput } from "./alias.inputs";
import { toAliasEventType, toAliasType } from "./alias.mapper";
import { AliasEventType, AliasType } from "./alias.type";

@Resolver(() => AliasType)
export class AliasResolver {
  @Authorized(Scope.WRITE)
  @Mutation(() => AliasType, { description: "Creates or moves an alias; every move is kept in its history." })
  async setAlias(@Arg("input") input: SetAliasInput, @Ctx() { services, principal }: GraphQLContext): Promise<AliasType> {
    return toAliasType(await services.aliases.set(input, principal.owner));
  }

  @Authorized(Scope.WRITE)
  @Mutation(() => Boolean, { description: "Removes the alias; its history stays." })
  async deleteAlias(
    @Arg("model") model: string,
    @Arg("alias") alias: string,
    @Ctx() { services, principal }: GraphQLContext,
  ): Promise<boolean> {
    await services.aliases.delete({ model, alias }, principal.owner);
    return true;
  }

  @Authorized(Scope.READ)
  @Subscription(() => AliasEventType, {
    topics: ALIAS_CHANGED,
    filter: ({ payload, args }: { payload: AliasChangedMessage; args: { model: string } }) => payload.modelName === args.model,
    description: "Every move of any alias of the model, as it commits.",
  })
  aliasChanged(@Root() message: AliasChangedMessage, @Arg("model") _model: string, @Ctx() context: GraphQLContext): AliasEventType {
    context.renewLoaders();
    return toAliasEventType(message.event);
  }

  @FieldResolver(() => ModelVersionType)
  async version(@Root() alias: AliasType, @Ctx() { loaders }: GraphQLContext): Promise<ModelVersionType> {
    return toModelVersionType(await loadRequired(loaders.versionById, alias.versionId, "model version"));
  }

  @FieldResolver(() => [AliasEventType], { description: "Oldest first." })
  async history(@Root() alias: AliasType, @Ctx() { loaders }: GraphQLContext): Promise<AliasEventType[]> {
    return (await loaders.historyByAlias.load({ modelId: alias.modelId, alias: alias.name })).map(toAliasEventType);
  }
}

@Resolver(() => AliasEventType)
export class AliasEventResolver {
  @FieldResolver(() => ModelVersionType, { nullable: true })
  async from(@Root() event: AliasEventType, @Ctx() { loaders }: GraphQLContext): Promise<ModelVersionType | null> {
    return event.fromVersionId ? toModelVersionType(await loadRequired(loaders.versionById, event.fromVersionId, "model version")) : null;
  }

  @FieldResolver(() => ModelVersionType, { nullable: true })
  async to(@Root() event: AliasEventType, @Ctx() { loaders }: GraphQLContext): Promise<ModelVersionType | null> {
    return event.toVersionId ? toModelVersionType(await loadRequired(loaders.versionById, event.toVersionId, "model version")) : null;
  }
}
