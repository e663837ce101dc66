import { defineConfig } from 'vitest/config';

// `npm run test:faults`: real processes killed with SIGKILL; minutes, so apart from `npm test`.
export default defineConfig({
  test: {
    include: ['test/faults/**/*.test.ts'],
    testTimeout: 20 * 60_000,
    hookTimeout: 5 * 60_000,
    pool: 'forks',
    fileParallelism: false,
  },
});
