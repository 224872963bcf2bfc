import { Arg, Args, Authorized, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from "type-graphql";
import { Scope } from "@distillery/domain";
import { mapConnection } from "../../graphql/connection";
import type { GraphQLContext } from "../../graphql/context";
import { RunsArgs } from "../run/run.inputs";
import { toRunType } from "../run/run.mapper";
import { RunConnection } from "../run/run.type";
import { CreateExperimentInput, ExperimentsArgs } from "./experiment.inputs";
import { toExperimentType } from "./experiment.mapper";
import { ExperimentConnection, ExperimentType } from "./experiment.type";

@Resolver(() => ExperimentType)
export class ExperimentResolver {
  @Authorized(Scope.WRITE)
  @Mutation(() => ExperimentType, { description: "Validates the spec against its kind; launch it with launchExperiment." })
  async createExperiment(@Arg("input") input: CreateExperimentInput, @Ctx() { services, principal }: GraphQLContext): Promise<ExperimentType> {
    return toExperimentType(await services.experiments.create(input, principal.owner));
  }

  @Authorized(Scope.READ)
  @Query(() => ExperimentConnection, { description: "Newest first." })
  async experiments(@Args() args: ExperimentsArgs, @Ctx() { services }: GraphQLContext): Promise<ExperimentConnection> {
    return mapConnection(await services.experiments.list(args), toExperimentType);
  }

  @Authorized(Scope.READ)
  @Query(() => ExperimentType, { description: "Fails with EXPERIMENT_NOT_FOUND." })
  async experiment(@Arg("id", () => ID) id: string, @Ctx() { services }: GraphQLContext): Promise<ExperimentType> {
    return toExperimentType(await services.experiments.get(id));
  }

  @FieldResolver(() => RunConnection, { description: "Newest first." })
  async runs(@Root() experiment: ExperimentType, @Args() args: RunsArgs, @Ctx() { services }: GraphQLContext): Promise<RunConnection> {
    const filter = { ...args.filter, experiment: experiment.id };
    return mapConnection(await services.runs.list({ ...args, filter }), toRunType);
  }
}
