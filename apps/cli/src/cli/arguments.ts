import { UsageError } from "./exit-codes";

export function nonNegativeInteger(flag: string, value: string): number {
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(Number(value))) throw new UsageError(`${flag} must be a whole number, not "${value}"`);
  return Number(value);
}

export function positiveInteger(flag: string, value: string | undefined, max?: number): number | undefined {
  if (value === undefined) return undefined;
  const number = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(number) || number < 1 || (max !== undefined && number > max)) {
    throw new UsageError(`${flag} must be a whole number${max === undefined ? " of at least 1" : ` from 1 to ${max}`}, not "${value}"`);
  }
  return number;
}

/** Exactly `count` positional arguments, named in the error when they are not there. */
export function expectPositionals(command: string, positionals: string[], names: string[]): string[] {
  if (positionals.length < names.length) throw new UsageError(`${command} needs ${names.slice(positionals.length).map((name) => `<${name}>`).join(" ")}`);
  if (positionals.length > names.length) throw new UsageError(`${command}: unexpected argument "${positionals[names.length]}"`);
  return positionals;
}

/** One of `allowed`, case-insensitive; the canonical spelling back. */
export function oneOf<T extends string>(flag: string, value: string, allowed: readonly T[]): T {
  const match = allowed.find((option) => option.toLowerCase() === value.toLowerCase());
  if (!match) throw new UsageError(`${flag} must be ${allowed.join(", ")}; not "${value}"`);
  return match;
}
