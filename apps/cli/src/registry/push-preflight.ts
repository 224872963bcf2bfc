import { ApiError, defineOperation } from "@distillery/client";
import { hasScope, Scope } from "@distillery/domain";
import type { Connection } from "../cli/connection";
import { CliError, ExitCode, UsageError } from "../cli/exit-codes";
import { MODEL, type ModelSummary } from "./model-operations";
import { MODEL_VERSION } from "./version-operations";
import type { ModelRole } from "./version-record";

const ME = defineOperation<{ me: { name: string; scopes: Scope[] } }, Record<string, never>>("Me", `query Me { me { name scopes } }`);

/**
 * What a push can be refused for, asked before a byte is hashed or sent: a token without WRITE,
 * a new model without --role, a parent ref that resolves to nothing. Resolves to the model when
 * it exists already.
 */
export async function checkPush(connection: Connection, model: string, role: ModelRole | undefined, parentRefs: string[]): Promise<ModelSummary | undefined> {
  const { me } = await connection.graphql.request(ME, {});
  if (!hasScope(me.scopes, [Scope.WRITE])) {
    throw new CliError(`the token "${me.name}" has ${me.scopes.join(", ") || "no"} scope; pushing a model needs WRITE`, ExitCode.AUTH);
  }
  const existing = await connection.graphql.request(MODEL, { name: model }).then(
    (data) => data.model,
    (error: unknown) => {
      if (error instanceof ApiError && error.reason === "MODEL_NOT_FOUND") return undefined;
      throw error;
    },
  );
  if (!existing && role === undefined) {
    throw new UsageError(`there is no model "${model}" yet: give --role teacher|student|extractor (and --family, --description if you like) to create it`);
  }
  // A wrong parent is exit status 4 now, not after the upload.
  for (const ref of parentRefs) await connection.graphql.request(MODEL_VERSION, { ref, precision: null });
  return existing;
}
