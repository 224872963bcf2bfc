import { Arg, Args, Authorized, Ctx, FieldResolver, Mutation, Query, Resolver, Root } from "type-graphql";
import { Scope } from "@distillery/domain";
import { mapConnection } from "../../graphql/connection";
import type { GraphQLContext } from "../../graphql/context";
import { toAliasEventType, toAliasType } from "../alias/alias.mapper";
import { AliasEventType, AliasType } from "../alias/alias.type";
import { VersionsArgs } from "../model-version/model-version.inputs";
import { toModelVersionType } from "../model-version/model-version.mapper";
import { ModelVersionConnection } from "../model-version/model-version.type";
import { CreateModelInput, ModelsArgs, UpdateModelInput } from "./model.inputs";
import { toModelType } from "./model.mapper";
import { ModelConnection, ModelType } from "./model.type";

@Resolver(() => ModelType)
export class ModelResolver {
  @Authorized(Scope.READ)
  @Query(() => ModelConnection, { description: "Models sorted by name." })
  async models(@Args() args: ModelsArgs, @Ctx() { services }: GraphQLContext): Promise<ModelConnection> {
    return mapConnection(await services.models.list(args), toModelType);
  }

  @Authorized(Scope.READ)
  @Query(() => ModelType, { description: "Fails with MODEL_NOT_FOUND for an unknown name." })
  async model(@Arg("name") name: string, @Ctx() { services }: GraphQLContext): Promise<ModelType> {
    return toModelType(await services.models.getByName(name));
  }

  @Authorized(Scope.WRITE)
  @Mutation(() => ModelType)
  async createModel(@Arg("input") input: CreateModelInput, @Ctx() { services, principal }: GraphQLContext): Promise<ModelType> {
    return toModelType(await services.models.create(input, principal.owner));
  }

  @Authorized(Scope.WRITE)
  @Mutation(() => ModelType)
  async updateModel(@Arg("input") input: UpdateModelInput, @Ctx() { services }: GraphQLContext): Promise<ModelType> {
    return toModelType(await services.models.update(input));
  }

  @FieldResolver(() => ModelVersionConnection, { description: "Newest first." })
  async versions(@Root() model: ModelType, @Args() args: VersionsArgs, @Ctx() { services }: GraphQLContext): Promise<ModelVersionConnection> {
    return mapConnection(await services.versions.listForModel(model.name, args.first, args.after), toModelVersionType);
  }

  @FieldResolver(() => [AliasType])
  async aliases(@Root() model: ModelType, @Ctx() { loaders }: GraphQLContext): Promise<AliasType[]> {
    return (await loaders.aliasesByModelId.load(model.id)).map(toAliasType);
  }

  @FieldResolver(() => [AliasEventType], {
    description: "Every move of every alias of the model, deleted aliases included, oldest first: the promotion history.",
  })
  async aliasHistory(@Root() model: ModelType, @Ctx() { loaders }: GraphQLContext): Promise<AliasEventType[]> {
    return (await loaders.historyByModelId.load(model.id)).map(toAliasEventType);
  }
}
