import { Field, ObjectType } from "type-graphql";

@ObjectType("Alias", { description: "A movable name for one version of a model, e.g. production." })
export class AliasType {
  @Field()
  name!: string;

  @Field()
  updatedAt!: Date;

  modelId!: string;
  versionId!: string;
}

@ObjectType("AliasEvent", { description: "One move of an alias. from is null when it was created, to when it was deleted." })
export class AliasEventType {
  @Field()
  alias!: string;

  @Field()
  actor!: string;

  @Field()
  at!: Date;

  modelId!: string;
  fromVersionId!: string | null;
  toVersionId!: string | null;
}
