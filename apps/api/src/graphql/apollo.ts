import type { ServerResponse } from "node:http";
import { ApolloServer, type ApolloServerPlugin } from "@apollo/server";
import { fastifyApolloDrainPlugin, fastifyApolloHandler } from "@as-integrations/fastify";
import type { FastifyInstance } from "fastify";
import type { GraphQLSchema } from "graphql";
import type { ApiMetrics } from "../http/metrics";
import type { Services } from "../services";
import type { GraphQLContext } from "./context";
import { createErrorFormatter } from "./format-error";
import { createGraphQLContext } from "./graphql-context-factory";
import { complexityLimitPlugin, depthLimitRule, MAX_QUERY_COMPLEXITY, MAX_QUERY_DEPTH } from "./query-limits";

function errorMetricsPlugin(metrics: ApiMetrics): ApolloServerPlugin<GraphQLContext> {
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ response }) {
          if (response.body.kind !== "single") return;
          for (const error of response.body.singleResult.errors ?? []) {
            metrics.graphqlErrors.inc({ code: String(error.extensions?.code), reason: String(error.extensions?.reason) });
          }
        },
      };
    },
  };
}

/** Aborts when the connection closes before the response was fully written: the client left. */
function abortedOnDisconnect(response: ServerResponse): AbortSignal {
  const controller = new AbortController();
  response.once("close", () => {
    if (!response.writableFinished) controller.abort();
  });
  return controller.signal;
}

/** POST/GET /graphql with CSRF prevention, depth and complexity limits, one error mapping. */
export async function mountApollo(app: FastifyInstance, schema: GraphQLSchema, services: Services, metrics: ApiMetrics) {
  const apollo = new ApolloServer<GraphQLContext>({
    schema,
    csrfPrevention: true,
    introspection: true,
    includeStacktraceInErrorResponses: false,
    validationRules: [depthLimitRule(MAX_QUERY_DEPTH)],
    formatError: createErrorFormatter(app.log),
    plugins: [fastifyApolloDrainPlugin(app), complexityLimitPlugin(MAX_QUERY_COMPLEXITY), errorMetricsPlugin(metrics)],
  });
  await apollo.start();
  app.route({
    url: "/graphql",
    method: ["GET", "POST", "OPTIONS"],
    handler: fastifyApolloHandler(apollo, {
      context: async (request, reply) => createGraphQLContext(services, request.headers.authorization, abortedOnDisconnect(reply.raw)),
    }),
  });
  return apollo;
}
