import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'properties/**/*.test.ts', 'scenarios/**/*.test.ts'],
    setupFiles: ['test/setup.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // vitest's default is one worker fewer than the cores, which on the
    // 2-core machines CI and this project run on is one file at a time.
    maxWorkers: 2,
    // Each file gets a fresh kernel from its own boot (no module holds run
    // state), so files need not pay for a fresh module graph each: about a
    // third less CPU for the whole suite.
    isolate: false,
  },
});
