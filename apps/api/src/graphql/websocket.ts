import type { Server } from "node:http";
import type { GraphQLSchema } from "graphql";
import { useServer } from "graphql-ws/use/ws";
import { WebSocketServer } from "ws";
import type { Services } from "../services";
import { createGraphQLContext } from "./graphql-context-factory";

/**
 * graphql-ws on the same port and path as HTTP GraphQL. Clients authenticate with
 * connectionParams `{ authorization: "Bearer <token>" }`; a bad token closes the socket (4403).
 */
export function serveGraphQLOverWebSocket(server: Server, schema: GraphQLSchema, services: Services) {
  const wsServer = new WebSocketServer({ server, path: "/graphql" });
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
