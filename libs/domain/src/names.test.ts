import { describe, expect, it } from "vitest";
import { isReservedAlias, validateAliasName, validateJsonSize, validateModelName, validateTags } from "./names";

function reasonOf(work: () => unknown): string | undefined {
  try {
    work();
    return undefined;
  } catch (error) {
    return (error as { reason?: string }).reason;
  }
}

describe("names", () => {
  it("accepts slugs and refuses anything a ref could misread", () => {
    expect(validateModelName("sd15-student.v2_int8")).toBe("sd15-student.v2_int8");
    for (const bad of ["", "-x", "X", "a@b", "a/b", "x".repeat(101)]) expect(reasonOf(() => validateModelName(bad))).toBe("INVALID_NAME");
  });

  it("reserves latest and v<digits> as alias names", () => {
    expect(isReservedAlias("latest")).toBe(true);
    expect(isReservedAlias("v12")).toBe(true);
    expect(isReservedAlias("v12a")).toBe(false);
    expect(reasonOf(() => validateAliasName("v7"))).toBe("ALIAS_RESERVED");
    expect(reasonOf(() => validateAliasName("prod uction"))).toBe("INVALID_ALIAS");
    expect(validateAliasName("production")).toBe("production");
    expect(validateAliasName("a".repeat(63))).toHaveLength(63);
    expect(reasonOf(() => validateAliasName("a".repeat(64)))).toBe("INVALID_ALIAS");
  });

  it("sorts and de-duplicates tags, and caps their number", () => {
    expect(validateTags(["b", "a", "b"])).toEqual(["a", "b"]);
    expect(reasonOf(() => validateTags(Array.from({ length: 33 }, (_, index) => `t${index}`)))).toBe("INVALID_ARGUMENT");
  });

  it("caps JSON documents by their serialised size", () => {
    expect(() => validateJsonSize("metadata", { a: "x".repeat(100) }, 1024)).not.toThrow();
    expect(reasonOf(() => validateJsonSize("metadata", { a: "x".repeat(2000) }, 1024))).toBe("INVALID_ARGUMENT");
  });
});
