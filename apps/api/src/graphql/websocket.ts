import type { Server } from "node:http";
import type { FastifyBaseLogger } from "fastify";
import type { GraphQLError, GraphQLSchema } from "graphql";
import { useServer } from "graphql-ws/use/ws";
import { WebSocketServer } from "ws";
import type { Services } from "../services";
import { createErrorFormatter } from "./format-error";
import { createGraphQLContext } from "./graphql-context-factory";

/**
 * graphql-ws on the same port and path as HTTP GraphQL. Clients authenticate with
 * connectionParams `{ authorization: "Bearer <token>" }`; a bad token closes the socket (4403).
 * Errors leave through the same formatter as over HTTP, so a subscriber also gets the code and
 * reason (RUN_NOT_FOUND, FORBIDDEN, …) and never an internal message.
 */
export function serveGraphQLOverWebSocket(server: Server, schema: GraphQLSchema, services: Services, logger: FastifyBaseLogger) {
  const wsServer = new WebSocketServer({ server, path: "/graphql" });
  const formatError = createErrorFormatter(logger);
  // An error thrown while a subscription streams arrives without a path, which the formatter's
  // unwrapping looks for: hand it the original error directly.
  const formatAll = (errors: readonly GraphQLError[]) => errors.map((error) => formatError(error.toJSON(), error.originalError ?? error));
  const handle = useServer(
    {
      schema,
      onConnect: async (ctx) => {
        try {
          await createGraphQLContext(services, authorizationOf(ctx.connectionParams));
          return true;
        } catch {
          return false;
        }
      },
      context: (ctx) => createGraphQLContext(services, authorizationOf(ctx.connectionParams)),
      onNext: (_ctx, _id, _payload, _args, result) => (result.errors ? { ...result, errors: formatAll(result.errors) } : undefined),
      onError: (_ctx, _id, _payload, errors) => formatAll(errors),
    },
    wsServer,
  );
  return {
    async close(): Promise<void> {
      await handle.dispose();
      await new Promise<void>((resolve) => wsServer.close(() => resolve()));
    },
  };
}

function authorizationOf(params: Readonly<Record<string, unknown>> | undefined): string | undefined {
  const value = params?.authorization ?? params?.Authorization;
  return typeof value === "string" ? value : undefined;
}
