import { Arg, Args, Authorized, Ctx, Mutation, Query, Resolver } from "type-graphql";
import { Scope } from "@distillery/domain";
import { mapConnection } from "../../graphql/connection";
import type { GraphQLContext } from "../../graphql/context";
import { DatasetsArgs, RegisterDatasetInput } from "./dataset.inputs";
import { toDatasetType } from "./dataset.mapper";
import { DatasetConnection, DatasetType } from "./dataset.type";

@Resolver(() => DatasetType)
export class DatasetResolver {
  @Authorized(Scope.READ)
  @Query(() => DatasetConnection, { description: "Every version of every dataset, newest first." })
  async datasets(@Args() args: DatasetsArgs, @Ctx() { services }: GraphQLContext): Promise<DatasetConnection> {
    return mapConnection(await services.datasets.list(args), toDatasetType);
  }

  @Authorized(Scope.READ)
  @Query(() => DatasetType, { description: "Resolves name (the newest version) or name@v<N>; DATASET_NOT_FOUND when there is none." })
  async dataset(@Arg("ref") ref: string, @Ctx() { services }: GraphQLContext): Promise<DatasetType> {
    return toDatasetType(await services.datasets.resolve(ref));
  }

  @Authorized(Scope.WRITE)
  @Mutation(() => DatasetType, { description: "Registers an uploaded blob as the next version of the name: gap-free, in commit order." })
  async registerDataset(@Arg("input") input: RegisterDatasetInput, @Ctx() { services, principal }: GraphQLContext): Promise<DatasetType> {
    return toDatasetType(await services.datasets.register(input, principal.owner));
  }
}
