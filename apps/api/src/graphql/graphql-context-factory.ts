import { GraphQLError } from "graphql";
import { DomainError, httpStatusOf } from "@distillery/domain";
import { authenticate } from "../auth/authenticate";
import type { Services } from "../services";
import type { GraphQLContext } from "./context";
import { createLoaders } from "./loaders";

/**
 * Builds a request's context, for HTTP and WebSocket alike. Authentication happens here, before
 * any field resolves, so an anonymous caller gets UNAUTHENTICATED even for introspection.
 */
export async function createGraphQLContext(
  services: Services,
  authorization: string | string[] | undefined,
  abortSignal?: AbortSignal,
): Promise<GraphQLContext> {
  try {
    const principal = await authenticate(services.tokens, authorization);
    const context: GraphQLContext = {
      principal,
      services,
      loaders: createLoaders(services),
      abortSignal,
      renewLoaders: () => {
        context.loaders = createLoaders(services);
      },
    };
    return context;
  } catch (error) {
    if (error instanceof DomainError) {
      throw new GraphQLError(error.message, {
        extensions: { code: error.category, reason: error.reason, http: { status: httpStatusOf[error.category] } },
      });
    }
    throw error;
  }
}
