// StrykerJS mutation testing (`npm run mutate`; not part of npm test or CI).
// Mutates the scheduler, the wait/pipe/fd/epoll/poll kernel code and AF_UNIX,
// and counts a mutant killed only if the property suites or the race
// scenarios notice it (mutation/vitest.config.ts), run in the mutation
// profile (UNIXSIM_MUTATE=1, properties/lib/profile.ts: fewer fast-check runs
// and scenario seeds, no planted-bug meta-tests, cheapest file first, bail
// on the first failure). Incremental: a rerun
// tests only mutants whose code or tests changed. Reports: reports/mutation/.
// One file on a busy machine:  npm run mutate -- --mutate src/sched/waitqueue.ts --concurrency 1
// (always through npm run mutate: it loads mutation/typescript-5.mjs)
import { fileURLToPath } from 'node:url';

const here = (p) => fileURLToPath(new URL(p, import.meta.url));

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: 'vitest',
  vitest: { configFile: 'mutation/vitest.config.ts', related: false },
  checkers: ['typescript'],
  tsconfigFile: 'mutation/tsconfig.json',
  checkerNodeArgs: ['--import', here('./mutation/typescript-5.mjs')],
  mutate: [
    'src/sched/**/*.ts',
    'src/kernel/pipe.ts',
    'src/kernel/fdtable.ts',
    'src/kernel/fdbitmap.ts',
    'src/kernel/wait.ts',
    'src/kernel/epoll.ts',
    'src/kernel/syscalls/poll.ts',
    'src/unix/**/*.ts',
  ],
  coverageAnalysis: 'perTest',
  incremental: true,
  incrementalFile: 'reports/mutation/stryker-incremental.json',
  reporters: ['clear-text', 'progress', 'html', 'json'],
  htmlReporter: { fileName: 'reports/mutation/mutation.html' },
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  tempDirName: 'reports/mutation/.stryker-tmp',
  ignorePatterns: ['reports', 'out', 'guest/build'],
  concurrency: 1,
  // a mutant's time limit is 1.5 x its tests' time in the initial run plus this
  timeoutMS: 30_000,
  // the initial run of the killing tests with coverage: about 1 minute quiet, several on a loaded machine
  dryRunTimeoutMinutes: 15,
  cleanTempDir: 'always',
};
