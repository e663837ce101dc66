import { defineConfig } from 'vitest/config';

// `npm run test:faults`: real processes killed with SIGKILL; minutes, so apart from `npm test`.
export default defineConfig({
  test: {
    include: ['test/faults/**/*.test.ts'],
    // Not yet in CI: it finds a replay divergence in a continued programme run whose first workflow
    // task timed out with its worker (compressed clock); see the open item of issue 21. Run it by
    // hand: GUIDANCE_CAN_FAULTS=1 npx vitest run --config vitest.faults.config.ts test/faults/programme-can-faults.test.ts
    exclude: process.env.GUIDANCE_CAN_FAULTS ? [] : ['test/faults/programme-can-faults.test.ts'],
    testTimeout: 20 * 60_000,
    hookTimeout: 5 * 60_000,
    pool: 'forks',
    fileParallelism: false,
  },
});
