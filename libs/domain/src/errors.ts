/**
 * One error type for every layer. `reason` is the specific, stable code clients branch on;
 * `category` is derived from it and becomes GraphQL's `extensions.code` / the HTTP status.
 */
export const ErrorCategory = {
  BAD_USER_INPUT: "BAD_USER_INPUT",
  UNAUTHENTICATED: "UNAUTHENTICATED",
  FORBIDDEN: "FORBIDDEN",
  NOT_FOUND: "NOT_FOUND",
  CONFLICT: "CONFLICT",
  PAYLOAD_TOO_LARGE: "PAYLOAD_TOO_LARGE",
  INTERNAL_SERVER_ERROR: "INTERNAL_SERVER_ERROR",
} as const;
export type ErrorCategory = (typeof ErrorCategory)[keyof typeof ErrorCategory];

const reasons = {
  INVALID_ARGUMENT: ErrorCategory.BAD_USER_INPUT,
  INVALID_NAME: ErrorCategory.BAD_USER_INPUT,
  INVALID_REF: ErrorCategory.BAD_USER_INPUT,
  INVALID_DIGEST: ErrorCategory.BAD_USER_INPUT,
  INVALID_ALIAS: ErrorCategory.BAD_USER_INPUT,
  INVALID_CURSOR: ErrorCategory.BAD_USER_INPUT,
  ALIAS_RESERVED: ErrorCategory.BAD_USER_INPUT,
  DIGEST_MISMATCH: ErrorCategory.BAD_USER_INPUT,
  RANGE_NOT_SATISFIABLE: ErrorCategory.BAD_USER_INPUT,
  QUERY_TOO_DEEP: ErrorCategory.BAD_USER_INPUT,
  QUERY_TOO_COMPLEX: ErrorCategory.BAD_USER_INPUT,
  INVALID_QUERY: ErrorCategory.BAD_USER_INPUT,
  INVALID_SPEC: ErrorCategory.BAD_USER_INPUT,
  LOG_OFFSET_GAP: ErrorCategory.BAD_USER_INPUT,
  UNAUTHENTICATED: ErrorCategory.UNAUTHENTICATED,
  TOKEN_INVALID: ErrorCategory.UNAUTHENTICATED,
  TOKEN_REVOKED: ErrorCategory.UNAUTHENTICATED,
  TOKEN_EXPIRED: ErrorCategory.UNAUTHENTICATED,
  FORBIDDEN: ErrorCategory.FORBIDDEN,
  MODEL_NOT_FOUND: ErrorCategory.NOT_FOUND,
  VERSION_NOT_FOUND: ErrorCategory.NOT_FOUND,
  ALIAS_NOT_FOUND: ErrorCategory.NOT_FOUND,
  BLOB_NOT_FOUND: ErrorCategory.NOT_FOUND,
  TOKEN_NOT_FOUND: ErrorCategory.NOT_FOUND,
  EXPERIMENT_NOT_FOUND: ErrorCategory.NOT_FOUND,
  RUN_NOT_FOUND: ErrorCategory.NOT_FOUND,
  RUNNER_NOT_FOUND: ErrorCategory.NOT_FOUND,
  JOB_NOT_FOUND: ErrorCategory.NOT_FOUND,
  DATASET_NOT_FOUND: ErrorCategory.NOT_FOUND,
  PROTOCOL_NOT_FOUND: ErrorCategory.NOT_FOUND,
  MODEL_EXISTS: ErrorCategory.CONFLICT,
  RESOURCE_EXISTS: ErrorCategory.CONFLICT,
  VERSION_CONFLICT: ErrorCategory.CONFLICT,
  VERSION_ARCHIVED: ErrorCategory.CONFLICT,
  VERSION_NOT_READY: ErrorCategory.CONFLICT,
  VERSION_HAS_ALIASES: ErrorCategory.CONFLICT,
  EXPERIMENT_EXISTS: ErrorCategory.CONFLICT,
  LEASE_LOST: ErrorCategory.CONFLICT,
  RUN_NOT_FINISHED: ErrorCategory.CONFLICT,
  RUN_FINISHED: ErrorCategory.CONFLICT,
  BLOB_TOO_LARGE: ErrorCategory.PAYLOAD_TOO_LARGE,
  INTERNAL: ErrorCategory.INTERNAL_SERVER_ERROR,
} as const satisfies Record<string, ErrorCategory>;

export type ErrorReason = keyof typeof reasons;
export const ErrorReasons = Object.keys(reasons) as ErrorReason[];

export function categoryOf(reason: ErrorReason): ErrorCategory {
  return reasons[reason];
}

export class DomainError extends Error {
  override readonly name = "DomainError";
  readonly category: ErrorCategory;

  constructor(
    readonly reason: ErrorReason,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.category = categoryOf(reason);
  }
}

export function isDomainError(error: unknown): error is DomainError {
  return error instanceof DomainError;
}

/** HTTP status for routes that are not GraphQL (blobs). */
export const httpStatusOf: Record<ErrorCategory, number> = {
  BAD_USER_INPUT: 400,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  PAYLOAD_TOO_LARGE: 413,
  INTERNAL_SERVER_ERROR: 500,
};
