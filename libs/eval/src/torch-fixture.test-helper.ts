// The PyTorch fixture written by test/global-setup.ts. Without Debian's python3-torch on a user's
// machine the suites that need it are skipped, with the reason in their name; under CI (CI=true)
// they run and fail.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, inject } from "vitest";

const fixture = inject("torchFixture");
const runs = fixture.status !== "unavailable" || process.env.CI === "true";

export function describeWithTorch(name: string, body: () => void): void {
  if (runs) describe(name, body);
  else describe.skip(`${name} (skipped: ${fixture.status === "unavailable" ? fixture.reason : ""})`, body);
}

/** A file of the fixture; throws (failing the test) when the fixture could not be made. */
export function fixturePath(file: string): string {
  if (fixture.status !== "ready") throw new Error(`no PyTorch fixture: ${fixture.reason}`);
  return join(fixture.dir, file);
}

export function readFixtureJson<T>(file: string): T {
  return JSON.parse(readFileSync(fixturePath(file), "utf8")) as T;
}
