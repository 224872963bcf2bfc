import "reflect-metadata";
import "./enums";
import { type GraphQLSchema, lexicographicSortSchema, printSchema } from "graphql";
import { buildSchema } from "type-graphql";
import { scopeAuthChecker } from "./auth-checker";
import type { EventBus } from "./event-bus";
import { resolvers } from "./resolvers";

export function buildGraphQLSchema(events: EventBus): Promise<GraphQLSchema> {
  return buildSchema({ resolvers, authChecker: scopeAuthChecker, pubSub: events, validate: false });
}

/** The SDL committed as apps/api/schema.graphql, sorted so diffs show only real changes. */
export function printSortedSchema(schema: GraphQLSchema): string {
  return `${printSchema(lexicographicSortSchema(schema))}\n`;
}
