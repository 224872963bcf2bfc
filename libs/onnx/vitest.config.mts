import { defineConfig } from "vitest/config";

// testTimeout: onnxruntime sessions and the Python checker take seconds on a busy 2-core machine.
export default defineConfig({ test: { include: ["src/**/*.test.ts", "test/**/*.test.ts"], testTimeout: 30_000 } });
