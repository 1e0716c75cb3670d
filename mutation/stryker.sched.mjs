// `npm run mutate -- mutation/stryker.sched.mjs --mutate src/sched/strategies/pct.ts`:
// stryker.config.mjs with only the schedulers' own properties as killing
// tests (mutation/vitest.sched.config.ts), with its own incremental file and reports.
// The TypeScript checker compiles src/sched alone (mutation/tsconfig.sched.json):
// src/sched imports nothing outside itself, and Stryker's mutators change
// expressions, not the types other folders use, so it rejects the same
// mutants as a check of the whole project, in a fraction of the time.
import base from '../stryker.config.mjs';

export default {
  ...base,
  vitest: { ...base.vitest, configFile: 'mutation/vitest.sched.config.ts' },
  tsconfigFile: 'mutation/tsconfig.sched.json',
  // these tests take seconds: a mutant that loops is stopped 5 s past 1.5 x their time, not 30 s
  timeoutMS: 5_000,
  incrementalFile: 'reports/mutation/sched/stryker-incremental.json',
  htmlReporter: { fileName: 'reports/mutation/sched/mutation.html' },
  jsonReporter: { fileName: 'reports/mutation/sched/mutation.json' },
  tempDirName: 'reports/mutation/.stryker-tmp-sched',
};
