import { isUuid } from "@distillery/domain";
import { CliError, ExitCode } from "../cli/exit-codes";

/**
 * A run named on the command line. Run ids are UUIDs; anything else names no run, so it is
 * "not found" here (exit 4) rather than the API's "malformed value" for a string it cannot parse.
 */
export function runIdFrom(value: string): string {
  if (isUuid(value)) return value.toLowerCase();
  throw new CliError(`no run "${value}": run ids are UUIDs, as distillery runs lists them`, ExitCode.NOT_FOUND);
}
