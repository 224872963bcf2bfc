import type { ApiTokenEntity } from "./api-token.entity";
import type { ApiTokenType } from "./api-token.type";
import { fromDbEnum, Scope, toDbEnum } from "@distillery/domain";

export function scopesFromDb(scopes: readonly string[]): Scope[] {
  return scopes.map((scope) => fromDbEnum(Scope, scope));
}

export function scopesToDb(scopes: readonly Scope[]): string[] {
  return [...new Set(scopes)].map(toDbEnum).sort();
}

export function toApiTokenType(entity: ApiTokenEntity): ApiTokenType {
  return {
    id: entity.id,
    name: entity.name,
    prefix: entity.prefix,
    scopes: scopesFromDb(entity.scopes),
    owner: entity.owner,
    createdAt: entity.createdAt,
    expiresAt: entity.expiresAt,
    revokedAt: entity.revokedAt,
    lastUsedAt: entity.lastUsedAt,
  };
}
