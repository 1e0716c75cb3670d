// A quick first pass for `npm run mutate -- mutation/stryker.models.mjs`:
// only the one-process model properties (pipe, fd table, sleeps) as the
// killing tests. Its score is a lower bound of the full run's (the full
// run's tests include these); it takes minutes where the full run, which
// reruns every covering property and scenario per mutant, takes hours for a
// file that every test reaches (fdtable.ts, pipe.ts).
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['properties/pipe-model.test.ts', 'properties/fd-model.test.ts', 'properties/sleep-timeouts.test.ts'],
    setupFiles: ['test/setup.ts'],
    testTimeout: 120_000,
  },
});
