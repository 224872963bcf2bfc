import { describe, expect, it } from "vitest";
import { hasScope, Scope } from "./scopes";

describe("scopes", () => {
  it.each([
    [[Scope.READ], Scope.READ, true],
    [[Scope.READ], Scope.WRITE, false],
    [[Scope.WRITE], Scope.READ, true],
    [[Scope.WRITE], Scope.RUNNER, false],
    [[Scope.RUNNER], Scope.READ, true],
    [[Scope.RUNNER], Scope.WRITE, false],
    [[Scope.ADMIN], Scope.WRITE, true],
    [[Scope.ADMIN], Scope.RUNNER, true],
    [[Scope.WRITE], Scope.ADMIN, false],
    [[Scope.READ, Scope.RUNNER], Scope.RUNNER, true],
  ])("%j granted, %s required -> %s", (granted, required, allowed) => {
    expect(hasScope(granted, [required])).toBe(allowed);
  });
});
