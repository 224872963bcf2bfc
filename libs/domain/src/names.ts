import { DomainError } from "./errors";

/** Model names are URL- and ref-safe slugs: `@` separates the name from a version or alias. */
const MODEL_NAME = /^[a-z0-9][a-z0-9._-]{0,99}$/;
const ALIAS_NAME = /^[a-z0-9][a-z0-9_-]{0,62}$/;
const TAG = /^[a-z0-9][a-z0-9:._-]{0,63}$/;
const MAX_TAGS = 32;

/** `latest` and `v<digits>` would make refs ambiguous with version numbers. */
export function isReservedAlias(name: string): boolean {
  return name === "latest" || /^v\d+$/.test(name);
}

export function validateModelName(name: string): string {
  if (!MODEL_NAME.test(name)) {
    throw new DomainError(
      "INVALID_NAME",
      `Model name "${name}" must be 1-100 characters of a-z, 0-9, '.', '_' or '-', starting with a letter or digit`,
      { name },
    );
  }
  return name;
}

export function validateAliasName(name: string): string {
  if (!ALIAS_NAME.test(name)) {
    throw new DomainError(
      "INVALID_ALIAS",
      `Alias "${name}" must match [a-z0-9][a-z0-9_-]{0,62}`,
      { alias: name },
    );
  }
  if (isReservedAlias(name)) {
    throw new DomainError("ALIAS_RESERVED", `Alias "${name}" is reserved: "latest" and v<digits> name versions`, {
      alias: name,
    });
  }
  return name;
}

export function validateTags(tags: readonly string[]): string[] {
  if (tags.length > MAX_TAGS) {
    throw new DomainError("INVALID_ARGUMENT", `At most ${MAX_TAGS} tags are allowed, got ${tags.length}`, {
      field: "tags",
    });
  }
  for (const tag of tags) {
    if (!TAG.test(tag)) {
      throw new DomainError("INVALID_ARGUMENT", `Tag "${tag}" must match [a-z0-9][a-z0-9:._-]{0,63}`, {
        field: "tags",
        tag,
      });
    }
  }
  return [...new Set(tags)].sort();
}

export function validateText(field: string, value: string, maxLength: number): string {
  if (value.length > maxLength) {
    throw new DomainError("INVALID_ARGUMENT", `${field} is longer than ${maxLength} characters`, { field });
  }
  return value;
}

/** JSON documents (metadata, recipes) are capped so one bad client cannot bloat every read. */
export function validateJsonSize(field: string, value: unknown, maxBytes = 64 * 1024): void {
  const size = Buffer.byteLength(JSON.stringify(value ?? null));
  if (size > maxBytes) {
    throw new DomainError("INVALID_ARGUMENT", `${field} is ${size} bytes of JSON; the limit is ${maxBytes}`, {
      field,
      size,
      maxBytes,
    });
  }
}
