import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["src/**/*.test.ts", "test/**/*.test.ts"],
    testTimeout: 60_000,
    // The integration tests spawn runner processes and child jobs; two cores cannot run many at once.
    fileParallelism: false,
  },
});
