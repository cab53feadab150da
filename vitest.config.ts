import { defineConfig } from 'vitest/config'

// Three projects so each layer can be run alone (`npm run test:unit` ...). Integration and e2e
// tests start real processes (quire, redis-server, Chromium) on a 2-core machine, so their files
// run one at a time and get generous timeouts; assertions poll with deadlines instead of sleeping.
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/shared/**/*.test.ts', 'test/server/**/*.test.ts', 'test/editor/**/*.test.ts', 'test/*.test.ts'],
          testTimeout: 20_000,
        },
      },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          testTimeout: 60_000,
          hookTimeout: 60_000,
          fileParallelism: false,
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          testTimeout: 90_000,
          hookTimeout: 90_000,
          fileParallelism: false,
        },
      },
    ],
  },
})
