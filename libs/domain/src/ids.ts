const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Record ids are UUIDs; checking the form first turns a malformed id into a clear error, not a database one. */
export function isUuid(value: string): boolean {
  return UUID.test(value);
}
