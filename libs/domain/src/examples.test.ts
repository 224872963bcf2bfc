import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ExperimentKind, validateExperimentSpec } from "./experiment-specs";

const EXAMPLES = join(__dirname, "..", "..", "..", "examples");

function specFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return specFiles(path);
    return name.endsWith(".json") ? [path] : [];
  });
}

/** examples/ promises specs users can launch as they are: each must pass its kind's validation. */
describe("examples/", () => {
  it.each(specFiles(EXAMPLES).map((path) => [path.slice(EXAMPLES.length + 1), path]))("%s is a valid createExperiment input", (_name, path) => {
    const input = JSON.parse(readFileSync(path, "utf8")) as { name: string; kind: string; spec: unknown; tags?: string[] };
    expect(input.name).toMatch(/^[a-z0-9][a-z0-9._-]*$/);
    expect(Object.values(ExperimentKind)).toContain(input.kind);
    expect(() => validateExperimentSpec(input.kind as ExperimentKind, input.spec)).not.toThrow();
  });
});
