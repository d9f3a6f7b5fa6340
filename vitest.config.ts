import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    // The default `forks` pool does not work under Bun; threads does.
    pool: "threads",
    include: ["test/**/*.test.ts", "test/security/*.test.ts"],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // e2e tests start real daemons as root; keep them from fighting over the 2 cores.
    fileParallelism: true,
    maxWorkers: 2,
  },
});
