// The killing tests of mutation/stryker.unixmodels.mjs: the src/unix model
// properties (each call's result checked against a model written from
// unix(7) and af_unix.c) and linux-diff (each against the running Linux), in
// the mutation profile (UNIXSIM_MUTATE=1: a fifth
// of the fast-check runs, no planted-bug meta-tests) and stopping at the
// first counterexample (mutation/setup.mutate.ts).
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['properties/unix-*.test.ts', 'properties/linux-diff.test.ts'],
    setupFiles: ['test/setup.ts', 'mutation/setup.mutate.ts'],
    env: { UNIXSIM_MUTATE: '1' },
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
