import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    exclude: ['test/faults/**', 'test/cluster/**', '**/node_modules/**'],
    // Each file starts its own Temporal service; two cores cannot run many of them at once.
    fileParallelism: true,
    maxWorkers: 2,
    minWorkers: 1,
    testTimeout: 120_000,
    hookTimeout: 180_000,
    pool: 'forks',
  },
});
