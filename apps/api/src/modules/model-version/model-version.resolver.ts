import { Arg, Authorized, Ctx, FieldResolver, Mutation, Query, Resolver, Root } from "type-graphql";
import { formatRef, Precision, Scope } from "@distillery/domain";
import type { GraphQLContext } from "../../graphql/context";
import { loadRequired } from "../../graphql/load-required";
import { toAliasType } from "../alias/alias.mapper";
import { AliasType } from "../alias/alias.type";
import { toModelType } from "../model/model.mapper";
import { toRunType } from "../run/run.mapper";
import { RunType } from "../run/run.type";
import { ModelType } from "../model/model.type";
import { RegisterModelVersionInput } from "./model-version.inputs";
import { toLineageEdgeType, toModelVersionType } from "./model-version.mapper";
import { LineageEdgeType, ModelVersionType } from "./model-version.type";

@Resolver(() => ModelVersionType)
export class ModelVersionResolver {
  @Authorized(Scope.READ)
  @Query(() => ModelVersionType, {
    description:
      "Resolves name, name@v<N> or name@<alias>. With precision, a version of another precision is followed to the newest ready version QUANTIZED_FROM it with that precision.",
  })
  async modelVersion(
    @Arg("ref") ref: string,
    @Arg("precision", () => Precision, { nullable: true }) precision: Precision | undefined,
    @Ctx() { services }: GraphQLContext,
  ): Promise<ModelVersionType> {
    return toModelVersionType(await services.versions.resolve(ref, precision ?? undefined));
  }

  @Authorized(Scope.WRITE)
  @Mutation(() => ModelVersionType, { description: "Numbers are per model, gap-free, handed out in commit order." })
  async registerModelVersion(
    @Arg("input") input: RegisterModelVersionInput,
    @Ctx() { services, principal }: GraphQLContext,
  ): Promise<ModelVersionType> {
    return toModelVersionType(await services.versions.register(input, principal.owner));
  }

  @Authorized(Scope.WRITE)
  @Mutation(() => ModelVersionType, { description: "Refused with VERSION_HAS_ALIASES while an alias points at it." })
  async archiveModelVersion(@Arg("ref") ref: string, @Ctx() { services }: GraphQLContext): Promise<ModelVersionType> {
    return toModelVersionType(await services.versions.archive(ref));
  }

  @FieldResolver(() => ModelType)
  async model(@Root() version: ModelVersionType, @Ctx() { loaders }: GraphQLContext): Promise<ModelType> {
    return toModelType(await loadRequired(loaders.modelById, version.modelId, "model"));
  }

  @FieldResolver(() => String, { description: "name@v<N>: the stable ref of this version." })
  async ref(@Root() version: ModelVersionType, @Ctx() { loaders }: GraphQLContext): Promise<string> {
    const model = await loadRequired(loaders.modelById, version.modelId, "model");
    return formatRef(model.name, version.version);
  }

  @FieldResolver(() => [LineageEdgeType], { description: "What this version was made from." })
  async parents(@Root() version: ModelVersionType, @Ctx() { loaders }: GraphQLContext): Promise<LineageEdgeType[]> {
    return (await loaders.parentEdgesByChildId.load(version.id)).map((edge) => toLineageEdgeType(edge, "parent"));
  }

  @FieldResolver(() => [LineageEdgeType], { description: "What was made from this version." })
  async children(@Root() version: ModelVersionType, @Ctx() { loaders }: GraphQLContext): Promise<LineageEdgeType[]> {
    return (await loaders.childEdgesByParentId.load(version.id)).map((edge) => toLineageEdgeType(edge, "child"));
  }

  @FieldResolver(() => RunType, { nullable: true, description: "The run whose job produced this version, if a runner registered it." })
  async producedBy(@Root() version: ModelVersionType, @Ctx() { loaders }: GraphQLContext): Promise<RunType | null> {
    return version.producedByRunId ? toRunType(await loadRequired(loaders.runById, version.producedByRunId, "run")) : null;
  }

  @FieldResolver(() => [AliasType])
  async aliases(@Root() version: ModelVersionType, @Ctx() { loaders }: GraphQLContext): Promise<AliasType[]> {
    return (await loaders.aliasesByVersionId.load(version.id)).map(toAliasType);
  }
}

@Resolver(() => LineageEdgeType)
export class LineageEdgeResolver {
  @FieldResolver(() => ModelVersionType)
  async version(@Root() edge: LineageEdgeType, @Ctx() { loaders }: GraphQLContext): Promise<ModelVersionType> {
    return toModelVersionType(await loadRequired(loaders.versionById, edge.versionId, "model version"));
  }
}
