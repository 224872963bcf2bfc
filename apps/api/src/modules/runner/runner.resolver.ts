import { Arg, Authorized, Ctx, Mutation, Query, Resolver } from "type-graphql";
import { Scope } from "@distillery/domain";
import type { GraphQLContext } from "../../graphql/context";
import { RegisterRunnerInput } from "./runner.inputs";
import { RunnerType } from "./runner.type";

@Resolver(() => RunnerType)
export class RunnerResolver {
  @Authorized(Scope.RUNNER)
  @Mutation(() => RunnerType, { description: "Called by a runner at start; returns the id it leases jobs with." })
  async registerRunner(@Arg("input") input: RegisterRunnerInput, @Ctx() { services, principal }: GraphQLContext): Promise<RunnerType> {
    return services.runners.register(input, principal.owner);
  }

  @Authorized(Scope.READ)
  @Query(() => [RunnerType], { description: "Every registered runner, by name." })
  async runners(@Ctx() { services }: GraphQLContext): Promise<RunnerType[]> {
    return services.runners.list();
  }
}
