// The killing tests for `npm run mutate`: the property suites and the race
// scenarios only (issue 15: what the properties notice, not what the unit
// tests pin down).
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['properties/**/*.test.ts', 'scenarios/**/*.test.ts'],
    setupFiles: ['test/setup.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
