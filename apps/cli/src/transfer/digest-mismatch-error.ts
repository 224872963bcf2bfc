import { CliError, ExitCode } from "../cli/exit-codes";

/**
 * Bytes that are not what the registry says: exit status 5. The code makes bin.ts print
 * "DIGEST_MISMATCH: …", which a CI log search finds.
 */
export class DigestMismatchError extends CliError {
  readonly code = "DIGEST_MISMATCH";

  constructor(message: string) {
    super(message, ExitCode.INTEGRITY);
  }
}
