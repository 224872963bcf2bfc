import "reflect-metadata";
import { join } from "node:path";
import { createEventBus } from "../graphql/event-bus";
import { buildGraphQLSchema, printSortedSchema } from "../graphql/schema";
import { checkOrWrite } from "./check-or-write";

/** apps/api/schema.graphql: committed so every API change shows in review. */
export const schemaFilePath = join(__dirname, "..", "..", "schema.graphql");

async function main(): Promise<void> {
  const schema = await buildGraphQLSchema(createEventBus());
  await checkOrWrite(schemaFilePath, printSortedSchema(schema), "npm run generate");
}

void main();
