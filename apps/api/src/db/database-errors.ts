import { DomainError, type ErrorReason } from "@distillery/domain";

/** Unique constraints whose violation has a specific reason; others become RESOURCE_EXISTS. */
const uniqueViolationReasons: Record<string, ErrorReason> = {
  model_name_key: "MODEL_EXISTS",
  model_version_model_id_version_key: "VERSION_CONFLICT",
  experiment_name_key: "EXPERIMENT_EXISTS",
};

interface DriverError {
  code?: string;
  constraint?: string;
  detail?: string;
}

function driverErrorOf(error: unknown): DriverError | null {
  if (typeof error !== "object" || error === null) return null;
  const candidate = (error as { driverError?: unknown }).driverError ?? error;
  return typeof (candidate as DriverError).code === "string" ? (candidate as DriverError) : null;
}

/**
 * Turns the database's refusals of bad input into domain errors, so that a unique violation is
 * a CONFLICT and a malformed value a BAD_USER_INPUT, never a 500. Everything else passes through.
 */
export function translateDatabaseError(error: unknown): unknown {
  if (error instanceof DomainError) return error;
  const driverError = driverErrorOf(error);
  switch (driverError?.code) {
    case "23505": {
      const constraint = driverError.constraint ?? "";
      const reason = uniqueViolationReasons[constraint] ?? "RESOURCE_EXISTS";
      return new DomainError(reason, `Already exists (${constraint || "unique constraint"})`, { constraint });
    }
    case "23503":
      return new DomainError("INVALID_ARGUMENT", "A referenced record does not exist", { constraint: driverError.constraint });
    case "22P02":
    case "22007":
    case "22008":
    case "22003":
      return new DomainError("INVALID_ARGUMENT", "A value has the wrong form or range", { detail: driverError.detail });
    default:
      return error;
  }
}
