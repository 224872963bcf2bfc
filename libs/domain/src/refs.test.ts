import { describe, expect, it } from "vitest";
import { DomainError } from "./errors";
import { formatRef, parseDatasetRef, parseRef } from "./refs";

describe("parseRef", () => {
  it.each([
    ["student", { model: "student", selector: { kind: "latest" } }],
    ["student@latest", { model: "student", selector: { kind: "latest" } }],
    ["student@v3", { model: "student", selector: { kind: "version", version: 3 } }],
    ["sd-1.5_unet@production", { model: "sd-1.5_unet", selector: { kind: "alias", alias: "production" } }],
    ["m@v1x", { model: "m", selector: { kind: "alias", alias: "v1x" } }],
  ])("parses %s", (ref, expected) => {
    expect(parseRef(ref)).toEqual(expected);
  });

  it.each(["", "Student", "a@", "@v1", "a@b@c", "a@v0", "a@Prod", "a b", `a@v${"9".repeat(20)}`])("refuses %j with INVALID_REF", (ref) => {
    expect(() => parseRef(ref)).toThrow(DomainError);
    try {
      parseRef(ref);
    } catch (error) {
      expect((error as DomainError).reason).toBe("INVALID_REF");
      expect((error as DomainError).category).toBe("BAD_USER_INPUT");
    }
  });

  it("formats the stable ref of a version", () => {
    expect(formatRef("student", 12)).toBe("student@v12");
    expect(parseRef(formatRef("student", 12))).toEqual({ model: "student", selector: { kind: "version", version: 12 } });
  });
});

describe("parseDatasetRef", () => {
  it.each([
    ["fashion-mnist-train", { name: "fashion-mnist-train", version: null }],
    ["fashion-mnist-train@latest", { name: "fashion-mnist-train", version: null }],
    ["fashion-mnist-train@v2", { name: "fashion-mnist-train", version: 2 }],
    [formatRef("d.s_1", 12), { name: "d.s_1", version: 12 }],
  ])("parses %s", (ref, expected) => {
    expect(parseDatasetRef(ref)).toEqual(expected);
  });

  it.each(["", "Data", "d@", "@v1", "d@v0", "d@production", "d@v1x", "d@v1@v2", `d@v${"9".repeat(20)}`])("refuses %j with INVALID_REF", (ref) => {
    expect(() => parseDatasetRef(ref)).toThrow(DomainError);
    try {
      parseDatasetRef(ref);
    } catch (error) {
      expect((error as DomainError).reason).toBe("INVALID_REF");
      expect((error as DomainError).category).toBe("BAD_USER_INPUT");
    }
  });
});
