import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 20_000,
    hookTimeout: 20_000,
    // Real sockets on loopback; two cores here, keep file-level parallelism modest.
    maxWorkers: 2,
  },
});
