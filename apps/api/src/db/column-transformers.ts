import type { ValueTransformer } from "typeorm";

/** pg returns int8 as a string, PGlite as a number or bigint: both become a JS number here. */
export const bigintAsNumber: ValueTransformer = {
  to: (value: number | null | undefined) => value,
  from: (value: string | number | bigint | null) => (value === null ? null : Number(value)),
};
