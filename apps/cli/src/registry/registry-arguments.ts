import { parseRef, validateAliasName, validateModelName } from "@distillery/domain";
import { oneOf } from "../cli/arguments";
import { UsageError } from "../cli/exit-codes";
import { FORMATS, type ModelFormat, type ModelRole, type Precision, PRECISIONS, ROLES } from "./version-record";

/** The domain's own checks, so a typo is exit status 2 before anything is sent. */
export function refArgument(value: string): string {
  try {
    parseRef(value);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  return value;
}

export function modelNameArgument(value: string): string {
  try {
    return validateModelName(value);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

export function aliasArgument(value: string): string {
  try {
    return validateAliasName(value);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

/** `3` or `v3`. */
export function versionArgument(value: string): number {
  const match = /^v?(\d+)$/i.exec(value);
  const version = Number(match?.[1]);
  if (!match || !Number.isSafeInteger(version) || version < 1) throw new UsageError(`a version is a number like 3 or v3, not "${value}"`);
  return version;
}

/** `--precision int8|fp16|fp32`, any case; the GraphQL enum back. */
export function precisionArgument(value: string | undefined): Precision | undefined {
  if (value === undefined) return undefined;
  return oneOf("--precision", value, PRECISIONS.map((precision) => precision.toLowerCase())).toUpperCase() as Precision;
}

/** `--role teacher|student|extractor`, any case. */
export function roleArgument(value: string | undefined): ModelRole | undefined {
  if (value === undefined) return undefined;
  return oneOf("--role", value, ROLES.map((role) => role.toLowerCase())).toUpperCase() as ModelRole;
}

/** `--format onnx|torch`, any case. */
export function formatArgument(value: string): ModelFormat {
  return oneOf("--format", value, FORMATS.map((format) => format.toLowerCase())).toUpperCase() as ModelFormat;
}
