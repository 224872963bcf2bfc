import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  buildClientSchema,
  getIntrospectionQuery,
  getNamedType,
  type GraphQLField,
  type GraphQLInputType,
  type GraphQLObjectType,
  type GraphQLSchema,
  type IntrospectionQuery,
  isEnumType,
  isInputObjectType,
  isLeafType,
  isListType,
  isNonNullType,
  isScalarType,
} from "graphql";
import { hasScope, Scope } from "@distillery/domain";
import { createModel, createToken, registerVersion } from "./support/factories";
import { GraphQLClient, type GraphQLResponse } from "./support/graphql-client";
import { startTestServer, type TestServer } from "./support/test-server";

/**
 * The auth matrix: every root field of the live schema, called by an anonymous caller and by a
 * token of each scope.
 *
 * It is generated from the schema (fetched by introspection) rather than written out by hand so
 * that it cannot fall behind the API: a new query or mutation fails the coverage test until it
 * gets an entry in `expectedScope`, and from then on it is called by every caller with arguments
 * derived from its signature. A field that forgot its @Authorized scope check answers a READ
 * token, and the matrix fails naming that field.
 */

type ScopeName = keyof typeof Scope;

const expectedScope: Record<string, ScopeName> = {
  "Query.apiTokens": "ADMIN",
  "Query.blob": "READ",
  "Query.dataset": "READ",
  "Query.datasets": "READ",
  "Query.evaluations": "READ",
  "Query.experiment": "READ",
  "Query.experiments": "READ",
  "Query.leaderboard": "READ",
  "Query.me": "READ",
  "Query.model": "READ",
  "Query.modelVersion": "READ",
  "Query.models": "READ",
  "Query.protocols": "READ",
  "Query.run": "READ",
  "Query.runners": "READ",
  "Query.runs": "READ",
  "Mutation.acquireJob": "RUNNER",
  "Mutation.appendLogs": "RUNNER",
  "Mutation.cancelRun": "WRITE",
  "Mutation.completeJob": "RUNNER",
  "Mutation.createExperiment": "WRITE",
  "Mutation.failJob": "RUNNER",
  "Mutation.heartbeat": "RUNNER",
  "Mutation.launchExperiment": "WRITE",
  "Mutation.logMetrics": "RUNNER",
  "Mutation.postEvaluation": "RUNNER",
  "Mutation.registerDataset": "WRITE",
  "Mutation.registerJobArtifact": "RUNNER",
  "Mutation.registerRunner": "RUNNER",
  "Mutation.retryRun": "WRITE",
  "Mutation.archiveModelVersion": "WRITE",
  "Mutation.createApiToken": "ADMIN",
  "Mutation.createModel": "WRITE",
  "Mutation.deleteAlias": "WRITE",
  "Mutation.registerModelVersion": "WRITE",
  "Mutation.revokeApiToken": "ADMIN",
  "Mutation.setAlias": "WRITE",
  "Mutation.updateModel": "WRITE",
};

const SCOPES: ScopeName[] = ["READ", "WRITE", "RUNNER", "ADMIN"];

/** Generated arguments use this string wherever a String is required: model "x", alias "x", ref "x". */
const SAMPLE_STRING = "x";

const ONE_YEAR_MS = 365 * 24 * 60 * 60 * 1000;

/** A value of each scalar the schema uses; a new scalar must be added here before the matrix runs. */
const sampleScalars: Record<string, () => unknown> = {
  String: () => SAMPLE_STRING,
  ID: () => "00000000-0000-0000-0000-000000000000",
  Int: () => 1,
  SafeInt: () => 1,
  Float: () => 1,
  Boolean: () => true,
  DateTimeISO: () => new Date(Date.now() + ONE_YEAR_MS).toISOString(),
  JSONObject: () => ({}),
};

/** A valid value of `type`: required input fields only, the first enum value, one-element lists. */
function sampleValue(type: GraphQLInputType): unknown {
  if (isNonNullType(type)) return sampleValue(type.ofType);
  if (isListType(type)) return [sampleValue(type.ofType)];
  if (isEnumType(type)) return type.getValues()[0]!.name;
  if (isInputObjectType(type)) {
    const value: Record<string, unknown> = {};
    for (const field of Object.values(type.getFields())) {
      if (isNonNullType(field.type) && field.defaultValue === undefined) value[field.name] = sampleValue(field.type);
    }
    return value;
  }
  if (isScalarType(type)) {
    const sample = sampleScalars[type.name];
    if (!sample) throw new Error(`No sample value for scalar ${type.name}: add one to sampleScalars`);
    return sample();
  }
  throw new Error(`Cannot make a value of ${String(type)}`);
}

interface Operation {
  query: string;
  variables: Record<string, unknown>;
}

/** `mutation Probe($a: T!) { field(a: $a) { __typename } }`, passing only the required arguments. */
function operationFor(kind: "query" | "mutation", field: GraphQLField<unknown, unknown>): Operation {
  const required = field.args.filter((arg) => isNonNullType(arg.type) && arg.defaultValue === undefined);
  const declarations = required.map((arg) => `$${arg.name}: ${String(arg.type)}`).join(", ");
  const argumentList = required.map((arg) => `${arg.name}: $${arg.name}`).join(", ");
  const selection = isLeafType(getNamedType(field.type)) ? "" : " { __typename }";
  return {
    query: `${kind} Probe${declarations ? `(${declarations})` : ""} { ${field.name}${argumentList ? `(${argumentList})` : ""}${selection} }`,
    variables: Object.fromEntries(required.map((arg) => [arg.name, sampleValue(arg.type)])),
  };
}

function rootFieldsOf(schema: GraphQLSchema): string[] {
  const keysOf = (type: GraphQLObjectType | null | undefined) =>
    Object.keys(type?.getFields() ?? {}).map((field) => `${type!.name}.${field}`);
  return [...keysOf(schema.getQueryType()), ...keysOf(schema.getMutationType())].sort();
}

function codesOf(result: GraphQLResponse): string[] {
  return (result.errors ?? []).map((error) => error.extensions?.code);
}

/**
 * What a refused mutation must leave untouched. The generated arguments name model "x" (version
 * 1, alias "x"), which is seeded with three versions so that archiving by the allowed callers
 * still leaves v1 ready: a write that slipped past its scope check would show up here.
 */
const STATE = `{
  models(first: 50) {
    totalCount
    edges { node {
      name role family description tags
      versions(first: 20) { totalCount edges { node { version status } } }
      aliases { name version { version } history { at } }
    } }
  }
  apiTokens { id name scopes owner expiresAt revokedAt }
  experiments(first: 50) { totalCount edges { node { name spec } } }
  runs(first: 50) { totalCount edges { node { status attempt metricKeys logs { totalBytes } } } }
  runners { name labels capabilities }
  datasets(first: 50) { totalCount edges { node { ref digest } } }
  protocols { key evaluationCount }
}`;

let server: TestServer;
let admin: GraphQLClient;
let anonymous: GraphQLClient;
let schema: GraphQLSchema;
const clients = {} as Record<ScopeName, GraphQLClient>;

beforeAll(async () => {
  server = await startTestServer();
  admin = new GraphQLClient(server.url, server.adminToken);
  anonymous = admin.withToken(null);
  schema = buildClientSchema(await admin.ok<IntrospectionQuery>(getIntrospectionQuery()));
  for (const scope of SCOPES) clients[scope] = admin.withToken((await createToken(admin, [scope])).token);
  await createModel(admin, { name: SAMPLE_STRING });
  for (let i = 0; i < 3; i += 1) await registerVersion(admin, SAMPLE_STRING);
});
afterAll(() => server?.stop());

function probe(key: string): { kind: "query" | "mutation"; operation: Operation } {
  const [typeName, fieldName] = key.split(".") as [string, string];
  const kind = typeName === "Mutation" ? "mutation" : "query";
  const rootType = kind === "mutation" ? schema.getMutationType() : schema.getQueryType();
  const field = rootType?.getFields()[fieldName];
  if (!field) throw new Error(`${key} is not in the live schema`);
  return { kind, operation: operationFor(kind, field) };
}

/** Runs `call`; for a mutation, also asserts that nothing visible changed. */
async function withoutSideEffects(kind: "query" | "mutation", call: () => Promise<GraphQLResponse>): Promise<GraphQLResponse> {
  if (kind === "query") return call();
  const before = await admin.ok(STATE);
  const result = await call();
  expect(await admin.ok(STATE), "a refused mutation changed state").toEqual(before);
  return result;
}

describe("auth matrix", () => {
  it("has an expected scope for every root query and mutation, and none for fields that are gone", () => {
    const live = rootFieldsOf(schema);
    const listed = Object.keys(expectedScope).sort();
    expect(live.filter((key) => !listed.includes(key)), "root fields missing from expectedScope").toEqual([]);
    expect(listed.filter((key) => !live.includes(key)), "expectedScope entries not in the schema").toEqual([]);
  });

  describe.each(Object.keys(expectedScope))("%s", (key) => {
    const required = expectedScope[key]!;

    it("refuses an anonymous caller with 401 UNAUTHENTICATED", async () => {
      const { kind, operation } = probe(key);
      const result = await withoutSideEffects(kind, () => anonymous.request(operation.query, operation.variables));
      expect(result.status).toBe(401);
      expect(result.errors?.[0]?.extensions, JSON.stringify(result.errors)).toMatchObject({
        code: "UNAUTHENTICATED",
        reason: "UNAUTHENTICATED",
      });
      expect(result.data ?? null).toBeNull();
    });

    it.each(SCOPES)(`with a %s token (needs ${required})`, async (scope) => {
      const { kind, operation } = probe(key);
      const fieldName = key.split(".")[1]!;
      if (hasScope([Scope[scope]], [Scope[required]])) {
        const result = await clients[scope].request(operation.query, operation.variables);
        // Other refusals (NOT_FOUND, CONFLICT, BAD_USER_INPUT) are fine; the generated arguments
        // rarely name something real. A crash is not.
        expect(codesOf(result), JSON.stringify(result.errors)).not.toContain("FORBIDDEN");
        expect(codesOf(result), JSON.stringify(result.errors)).not.toContain("UNAUTHENTICATED");
        expect(codesOf(result), JSON.stringify(result.errors)).not.toContain("INTERNAL_SERVER_ERROR");
      } else {
        const result = await withoutSideEffects(kind, () => clients[scope].request(operation.query, operation.variables));
        const fieldError = result.errors?.find((error) => (error as { path?: unknown[] }).path?.[0] === fieldName);
        expect(fieldError?.extensions, `${scope} should be refused ${key}: ${JSON.stringify(result)}`).toMatchObject({
          code: "FORBIDDEN",
          reason: "FORBIDDEN",
        });
      }
    });
  });
});
