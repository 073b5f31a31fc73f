import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'adapters/**/*.test.ts', 'test/**/*.test.ts'],
    // Builds dist/ when a source is newer (tests spawn the compiled bin/cpim-gateway.js).
    globalSetup: ['test/support/build-dist.ts'],
    // Integration suites start real servers; two cores, so keep the pool small.
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 20_000,
    hookTimeout: 30_000,
  },
});
