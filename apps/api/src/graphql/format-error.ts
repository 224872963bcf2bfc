import { unwrapResolverError } from "@apollo/server/errors";
import { GraphQLError, type GraphQLFormattedError } from "graphql";
import { DomainError, ErrorCategory } from "@distillery/domain";
import type { FastifyBaseLogger } from "fastify";

const publicCodes = new Set<string>([
  ErrorCategory.BAD_USER_INPUT,
  ErrorCategory.UNAUTHENTICATED,
  ErrorCategory.FORBIDDEN,
  ErrorCategory.NOT_FOUND,
  ErrorCategory.CONFLICT,
]);

/** Apollo's own codes for a request that is malformed before any resolver runs. */
const malformedRequestCodes = new Set([
  "GRAPHQL_PARSE_FAILED",
  "GRAPHQL_VALIDATION_FAILED",
  "BAD_REQUEST",
  "OPERATION_RESOLUTION_FAILURE",
  "PERSISTED_QUERY_NOT_FOUND",
  "PERSISTED_QUERY_NOT_SUPPORTED",
]);

/**
 * The one place errors become GraphQL errors. Every error leaves with `extensions.code` in
 * {BAD_USER_INPUT, UNAUTHENTICATED, FORBIDDEN, NOT_FOUND, CONFLICT, INTERNAL_SERVER_ERROR}
 * and a specific `extensions.reason`. Anything unexpected is logged and masked.
 */
export function createErrorFormatter(logger: FastifyBaseLogger) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const original = unwrapResolverError(error);
    const where = { ...(formatted.locations ? { locations: formatted.locations } : {}), ...(formatted.path ? { path: formatted.path } : {}) };
    if (original instanceof DomainError) {
      return {
        message: original.message,
        ...where,
        extensions: { code: original.category, reason: original.reason, details: original.details },
      };
    }
    const code = String(formatted.extensions?.code ?? "");
    const reason = formatted.extensions?.reason;
    if (publicCodes.has(code)) {
      return { ...formatted, extensions: { ...formatted.extensions, code, reason: reason ?? "INVALID_ARGUMENT" } };
    }
    // A GraphQLError of graphql-js's own making (no underlying error, or another GraphQLError):
    // the request itself is wrong, e.g. a variable of the wrong type.
    const requestError =
      original instanceof GraphQLError && (original.originalError === undefined || original.originalError instanceof GraphQLError);
    if (malformedRequestCodes.has(code) || requestError) {
      const details = formatted.extensions?.details;
      return {
        message: formatted.message,
        ...where,
        extensions: { code: ErrorCategory.BAD_USER_INPUT, reason: reason ?? (original instanceof GraphQLError && original.message.startsWith("Variable") ? "INVALID_ARGUMENT" : "INVALID_QUERY"), ...(details ? { details } : {}), cause: code },
      };
    }
    logger.error({ err: original }, "unexpected GraphQL error");
    return { message: "Internal server error", ...where, extensions: { code: ErrorCategory.INTERNAL_SERVER_ERROR, reason: "INTERNAL" } };
  };
}
