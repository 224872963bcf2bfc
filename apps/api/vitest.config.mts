import { defineConfig } from "vitest/config";

export default defineConfig({
  resolve: {
    // One graphql module for the whole test run: two copies fail with "from another realm".
    alias: [{ find: /^graphql$/, replacement: "graphql/index.js" }],
  },
  test: {
    include: ["test/**/*.test.ts", "src/**/*.test.ts"],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: "forks",
    maxWorkers: 2,
  },
});
