// The killing tests of mutation/stryker.unixcases.mjs: those of
// mutation/vitest.unixmodels.config.ts (the src/unix model properties and
// linux-diff, in the mutation profile), with linux-diff's random programs cut
// to 4 (UNIXSIM_LINUX_DIFF_RUNS): its fixed cases (properties/gen/unix-cases.ts),
// each aimed at one file's edges, do the killing, and a surviving mutant costs
// seconds instead of the 40 random programs' half a minute on a loaded
// machine. A lower bound of the unixmodels profile's score.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['properties/unix-*.test.ts', 'properties/linux-diff.test.ts'],
    setupFiles: ['test/setup.ts', 'mutation/setup.mutate.ts'],
    env: { UNIXSIM_MUTATE: '1', UNIXSIM_LINUX_DIFF_RUNS: '4' },
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
