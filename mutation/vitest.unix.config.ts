// The fast killing profile for src/unix (`npm run mutate -- mutation/stryker.unix.mjs`):
// the properties that run socket programs, the properties written against a
// model of one src/unix piece, and the scenarios, with UNIXSIM_MUTATE=1 (a fifth
// of the runs and seeds, no planted-bug meta-tests: properties/lib/mutate.ts),
// fast-check stopping at the first counterexample instead of shrinking it
// (mutation/setup.mutate.ts), and Stryker's bail on the first failing test.
// Left out: the pipe, fd-table, wait-queue, strategy and determinism
// properties, which run no AF_UNIX code worth their time.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: [
      'properties/unix-*.test.ts',
      'properties/accept-accounting.test.ts',
      'properties/stream-integrity.test.ts',
      'properties/waker-liveness.test.ts',
      'properties/wake-duties.test.ts',
      'properties/scm-conservation.test.ts',
      'properties/scm-identity.test.ts',
      'properties/gc-concurrent.test.ts',
      'properties/dispatcher-fuzz.test.ts',
      'properties/sleep-timeouts.test.ts',
      'scenarios/**/*.test.ts',
    ],
    setupFiles: ['test/setup.ts', 'mutation/setup.mutate.ts'],
    env: { UNIXSIM_MUTATE: '1' },
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
