import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/unit/**/*.test.ts', 'test/integration/**/*.test.ts', 'test/e2e/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Integration tests start real PostgreSQL servers and gRPC nodes; two cores
    // are all this machine has, so files run two at a time.
    maxWorkers: 2,
    globalSetup: ['test/support/global-setup.ts'],
  },
});
