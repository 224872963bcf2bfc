import { existsSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import { buildSchema, parse, validate } from "graphql";
import { describe, expect, it } from "vitest";
import { allOperations } from "../src/api/operations";

const contract = readFileSync(resolve(__dirname, "support", "runner-contract.graphql"), "utf8");
const apiSchemaPath = resolve(__dirname, "..", "..", "api", "schema.graphql");
const apiSchema = existsSync(apiSchemaPath) ? readFileSync(apiSchemaPath, "utf8") : "";

function problems(sdl: string): string[] {
  const schema = buildSchema(sdl);
  return allOperations.flatMap((operation) => {
    const document = parse(operation.document);
    const named = document.definitions.every((definition) => definition.kind !== "OperationDefinition" || definition.name?.value === operation.name);
    return [...(named ? [] : [`${operation.name}: the operation is named differently`]), ...validate(schema, document).map((error) => `${operation.name}: ${error.message}`)];
  });
}

describe("the runner's GraphQL documents", () => {
  it("are valid against the runner protocol contract", () => {
    expect(problems(contract)).toEqual([]);
  });

  // The API's committed schema once it has the runner protocol: catches drift between the two.
  it.runIf(apiSchema.includes("acquireJob"))("are valid against the API's schema.graphql", () => {
    expect(problems(apiSchema)).toEqual([]);
  });
});
