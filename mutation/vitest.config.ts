// The killing tests for `npm run mutate`: the property suites and the race
// scenarios only (issue 15: what the properties notice, not what the unit
// tests pin down), in the mutation profile (UNIXSIM_MUTATE=1,
// properties/lib/profile.ts): a fifth of each property's fast-check runs, a
// tenth of each scenario sweep's seeds, no test of a property itself (that
// it finds its planted bug). planted-bugs.test.ts and scm-planted-bugs.test.ts
// are such tests throughout (their "holds without planted bugs" halves rerun
// the properties of stream-integrity, accept-accounting, waker-liveness,
// scm-conservation and scm-identity with another seed). fast-check's global
// seed is fixed (test/setup.ts), so a mutant's verdict is repeatable.
// Stryker's vitest runner stops a mutant's run at its first failing test,
// and the files run cheapest first (mutation/sequencer.ts).
import { configDefaults, defineConfig } from 'vitest/config';
import CheapestFirst from './sequencer.ts';

export default defineConfig({
  test: {
    include: ['properties/**/*.test.ts', 'scenarios/**/*.test.ts'],
    exclude: [...configDefaults.exclude, 'properties/planted-bugs.test.ts', 'properties/scm-planted-bugs.test.ts'],
    env: { UNIXSIM_MUTATE: '1' },
    setupFiles: ['test/setup.ts'],
    sequence: { sequencer: CheapestFirst },
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
