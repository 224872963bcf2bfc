import { describe, expect, it } from "vitest";
import { DomainError } from "@distillery/domain";
import { parseByteRange } from "./byte-range";

const SIZE = 1000;

function unsatisfiable(header: string, size = SIZE): DomainError {
  let caught: unknown;
  try {
    parseByteRange(header, size);
  } catch (error) {
    caught = error;
  }
  expect(caught, `expected "${header}" to be refused`).toBeInstanceOf(DomainError);
  const error = caught as DomainError;
  expect({ reason: error.reason, category: error.category }).toEqual({ reason: "RANGE_NOT_SATISFIABLE", category: "BAD_USER_INPUT" });
  return error;
}

describe("parseByteRange", () => {
  it("returns null without a header: the whole blob is sent", () => {
    expect(parseByteRange(undefined, SIZE)).toBeNull();
    expect(parseByteRange("", SIZE)).toBeNull();
  });

  it("returns null for several ranges rather than refusing them", () => {
    expect(parseByteRange("bytes=0-1,5-9", SIZE)).toBeNull();
    expect(parseByteRange("bytes=0-1, -5", SIZE)).toBeNull();
  });

  it("parses a closed range, inclusive at both ends", () => {
    expect(parseByteRange("bytes=10-19", SIZE)).toEqual({ start: 10, end: 19 });
    expect(parseByteRange("bytes=0-0", SIZE)).toEqual({ start: 0, end: 0 });
    expect(parseByteRange("bytes=999-999", SIZE)).toEqual({ start: 999, end: 999 });
    expect(parseByteRange("  bytes=10-19  ", SIZE)).toEqual({ start: 10, end: 19 });
  });

  it("parses a suffix range as the last N bytes", () => {
    expect(parseByteRange("bytes=-5", SIZE)).toEqual({ start: 995, end: 999 });
    expect(parseByteRange("bytes=-1", SIZE)).toEqual({ start: 999, end: 999 });
  });

  it("serves the whole blob for a suffix longer than the blob", () => {
    expect(parseByteRange("bytes=-5000", SIZE)).toEqual({ start: 0, end: 999 });
  });

  it("parses an open-ended range up to the last byte", () => {
    expect(parseByteRange("bytes=990-", SIZE)).toEqual({ start: 990, end: 999 });
    expect(parseByteRange("bytes=0-", SIZE)).toEqual({ start: 0, end: 999 });
  });

  it("clamps an end past the blob to the last byte", () => {
    expect(parseByteRange("bytes=990-5000", SIZE)).toEqual({ start: 990, end: 999 });
  });

  it("refuses ranges that start at or past the end with RANGE_NOT_SATISFIABLE", () => {
    const error = unsatisfiable("bytes=1000-");
    expect(error.details).toEqual({ size: SIZE });
    unsatisfiable("bytes=5000-6000");
    unsatisfiable("bytes=1000-1000");
  });

  it("refuses an empty suffix and a range of nothing", () => {
    unsatisfiable("bytes=-0");
    unsatisfiable("bytes=-");
  });

  it("refuses any range on an empty blob", () => {
    unsatisfiable("bytes=0-", 0);
    unsatisfiable("bytes=-5", 0);
  });

  it("ignores a range unit other than bytes (RFC 9110 §14.2): the whole blob is sent", () => {
    expect(parseByteRange("items=0-5", SIZE)).toBeNull();
    expect(parseByteRange("bytes 0-5", SIZE)).toBeNull();
  });

  it("refuses a bytes range it cannot parse", () => {
    unsatisfiable("bytes=abc");
    unsatisfiable("bytes=1-2-3");
  });
});
