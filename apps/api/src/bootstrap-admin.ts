import { writeFile, mkdir } from "node:fs/promises";
import { join } from "node:path";
import { Scope } from "@distillery/domain";
import type { ApiTokenService } from "./modules/api-token/api-token.service";

/**
 * On the first start against an empty database, mint an ADMIN token and leave it where only
 * the owner of the data directory can read it. Returns the file path, or null when tokens exist.
 */
export async function bootstrapAdminToken(tokens: ApiTokenService, dataDir: string): Promise<string | null> {
  if ((await tokens.count()) > 0) return null;
  const { token } = await tokens.create({ name: "admin", scopes: [Scope.ADMIN], owner: "admin", expiresAt: null });
  await mkdir(dataDir, { recursive: true });
  const path = join(dataDir, "admin-token");
  await writeFile(path, `${token}\n`, { mode: 0o600 });
  return path;
}
