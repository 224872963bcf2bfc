import { Arg, Authorized, Ctx, FieldResolver, Int, Mutation, Query, Resolver, Root } from "type-graphql";
import { Scope } from "@distillery/domain";
import type { GraphQLContext } from "../../graphql/context";
import { loadRequired } from "../../graphql/load-required";
import { toModelVersionType } from "../model-version/model-version.mapper";
import { ModelVersionType } from "../model-version/model-version.type";
import { toRunType } from "../run/run.mapper";
import { RunType } from "../run/run.type";
import { PostEvaluationInput } from "./evaluation.inputs";
import { toEvaluationProtocolType, toEvaluationType } from "./evaluation.mapper";
import { EvaluationProtocolType, EvaluationType } from "./evaluation.type";

@Resolver(() => EvaluationType)
export class EvaluationResolver {
  @Authorized(Scope.READ)
  @Query(() => [EvaluationType], { description: "Every evaluation of the version the ref resolves to, newest first." })
  async evaluations(@Arg("version") version: string, @Ctx() { services }: GraphQLContext): Promise<EvaluationType[]> {
    return (await services.evaluations.forVersion(version)).map(toEvaluationType);
  }

  @Authorized(Scope.RUNNER)
  @Mutation(() => EvaluationType, {
    description:
      "Records what a job measured, fenced by its lease (LEASE_LOST) and for its run; idempotent per version, protocol and run.",
  })
  async postEvaluation(@Arg("input") input: PostEvaluationInput, @Ctx() { services }: GraphQLContext): Promise<EvaluationType> {
    return toEvaluationType(await services.evaluations.post(input));
  }

  @FieldResolver(() => ModelVersionType)
  async version(@Root() evaluation: EvaluationType, @Ctx() { loaders }: GraphQLContext): Promise<ModelVersionType> {
    return toModelVersionType(await loadRequired(loaders.versionById, evaluation.versionId, "model version"));
  }

  @FieldResolver(() => EvaluationProtocolType)
  async protocol(@Root() evaluation: EvaluationType, @Ctx() { loaders }: GraphQLContext): Promise<EvaluationProtocolType> {
    return toEvaluationProtocolType(await loadRequired(loaders.protocolById, evaluation.protocolId, "evaluation protocol"));
  }

  @FieldResolver(() => RunType, { nullable: true, description: "The run whose job posted it." })
  async run(@Root() evaluation: EvaluationType, @Ctx() { loaders }: GraphQLContext): Promise<RunType | null> {
    return evaluation.runId ? toRunType(await loadRequired(loaders.runById, evaluation.runId, "run")) : null;
  }
}

@Resolver(() => EvaluationProtocolType)
export class EvaluationProtocolResolver {
  @Authorized(Scope.READ)
  @Query(() => [EvaluationProtocolType], { description: "Every protocol, most recently used first." })
  async protocols(@Ctx() { services }: GraphQLContext): Promise<EvaluationProtocolType[]> {
    return (await services.evaluations.protocols()).map(toEvaluationProtocolType);
  }

  @FieldResolver(() => ModelVersionType, { nullable: true, description: "The feature extractor's version." })
  async extractor(@Root() protocol: EvaluationProtocolType, @Ctx() { loaders }: GraphQLContext): Promise<ModelVersionType | null> {
    const version = await loaders.versionById.load(protocol.extractorVersionId);
    return version ? toModelVersionType(version) : null;
  }

  @FieldResolver(() => Int, { description: "How many distinct versions have evaluations under it." })
  async evaluationCount(@Root() protocol: EvaluationProtocolType, @Ctx() { loaders }: GraphQLContext): Promise<number> {
    return loaders.evaluatedVersionCountByProtocolId.load(protocol.id);
  }
}
