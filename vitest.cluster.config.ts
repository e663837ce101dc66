import { defineConfig } from 'vitest/config';

// `npm run test:cluster`: the engine on a real self-hosted Temporal cluster on PostgreSQL
// (worker/cluster); minutes on a cold machine, so apart from `npm test`.
export default defineConfig({
  test: {
    include: ['test/cluster/**/*.test.ts'],
    testTimeout: 20 * 60_000,
    hookTimeout: 15 * 60_000,
    pool: 'forks',
    fileParallelism: false,
  },
});
