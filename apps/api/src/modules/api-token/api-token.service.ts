import { DomainError, type Scope, validateText } from "@distillery/domain";
import type { Database } from "../../db/database";
import type { Principal } from "../../auth/principal";
import { hashToken, newTokenSecret } from "../../auth/token-secret";
import { ApiTokenEntity } from "./api-token.entity";
import { scopesFromDb, scopesToDb } from "./api-token.mapper";

export interface NewApiToken {
  name: string;
  scopes: Scope[];
  owner: string;
  expiresAt: Date | null;
}

/** last_used_at is refreshed at most this often, so reads do not turn into a write each. */
const LAST_USED_RESOLUTION_MS = 60_000;

export class ApiTokenService {
  constructor(private readonly db: Database) {}

  async create(input: NewApiToken): Promise<{ token: string; apiToken: ApiTokenEntity }> {
    validateText("name", input.name.trim(), 100);
    if (input.name.trim() === "") throw new DomainError("INVALID_ARGUMENT", "Token name must not be empty", { field: "name" });
    validateText("owner", input.owner, 100);
    if (input.scopes.length === 0) throw new DomainError("INVALID_ARGUMENT", "A token needs at least one scope", { field: "scopes" });
    if (input.expiresAt && input.expiresAt.getTime() <= Date.now()) {
      throw new DomainError("INVALID_ARGUMENT", "expiresAt must be in the future", { field: "expiresAt" });
    }
    const secret = newTokenSecret();
    const apiToken = await this.db.transaction((manager) =>
      manager.save(
        manager.create(ApiTokenEntity, {
          name: input.name.trim(),
          prefix: secret.prefix,
          tokenHash: secret.hash,
          scopes: scopesToDb(input.scopes),
          owner: input.owner,
          expiresAt: input.expiresAt,
        }),
      ),
    );
    return { token: secret.token, apiToken };
  }

  async count(): Promise<number> {
    return this.db.read((manager) => manager.count(ApiTokenEntity));
  }

  list(): Promise<ApiTokenEntity[]> {
    return this.db.read((manager) => manager.find(ApiTokenEntity, { order: { createdAt: "DESC", id: "ASC" } }));
  }

  async get(id: string): Promise<ApiTokenEntity> {
    const found = await this.db.read((manager) => manager.findOneBy(ApiTokenEntity, { id }));
    if (!found) throw new DomainError("TOKEN_NOT_FOUND", `No API token ${id}`, { id });
    return found;
  }

  /** Idempotent: revoking a revoked token keeps its first revocation time. */
  async revoke(id: string): Promise<ApiTokenEntity> {
    return this.db.transaction(async (manager) => {
      const found = await manager.findOne(ApiTokenEntity, { where: { id }, lock: { mode: "pessimistic_write" } });
      if (!found) throw new DomainError("TOKEN_NOT_FOUND", `No API token ${id}`, { id });
      if (found.revokedAt) return found;
      await manager.query(`UPDATE api_token SET revoked_at = now() WHERE id = $1`, [id]);
      return manager.findOneByOrFail(ApiTokenEntity, { id });
    });
  }

  /** Expiry is judged on the database clock, like every other deadline in Distillery. */
  async authenticate(token: string): Promise<Principal> {
    const rows: Array<ApiTokenEntity & { expired: boolean; stale: boolean }> = await this.db.read((manager) =>
      manager.query(
        `SELECT id, name, owner, scopes, revoked_at AS "revokedAt",
                (expires_at IS NOT NULL AND expires_at <= now()) AS expired,
                (last_used_at IS NULL OR last_used_at < now() - $2 * interval '1 millisecond') AS stale
           FROM api_token WHERE token_hash = $1`,
        [hashToken(token), LAST_USED_RESOLUTION_MS],
      ),
    );
    const row = rows[0];
    if (!row) throw new DomainError("TOKEN_INVALID", "The token is not known");
    if (row.revokedAt) throw new DomainError("TOKEN_REVOKED", "The token was revoked");
    if (row.expired) throw new DomainError("TOKEN_EXPIRED", "The token has expired");
    if (row.stale) {
      await this.db.read((manager) => manager.query(`UPDATE api_token SET last_used_at = now() WHERE id = $1`, [row.id]));
    }
    return { tokenId: row.id, tokenName: row.name, owner: row.owner, scopes: scopesFromDb(row.scopes) };
  }
}
