import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // Tests wait on conditions, not clocks; a generous cap only matters when something is broken (and keeps a busy CPU from failing them).
    testTimeout: 60_000,
    hookTimeout: 30_000,
    // Real sockets on loopback; two cores here, keep file-level parallelism modest.
    maxWorkers: 2,
  },
});
