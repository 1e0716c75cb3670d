// `npm run mutate -- mutation/stryker.sched.mjs --mutate src/sched/strategies/pct.ts`:
// stryker.config.mjs with only the schedulers' own properties as killing
// tests (mutation/vitest.sched.config.ts), with its own incremental file and reports.
import base from '../stryker.config.mjs';

export default {
  ...base,
  vitest: { ...base.vitest, configFile: 'mutation/vitest.sched.config.ts' },
  incrementalFile: 'reports/mutation/sched/stryker-incremental.json',
  htmlReporter: { fileName: 'reports/mutation/sched/mutation.html' },
  jsonReporter: { fileName: 'reports/mutation/sched/mutation.json' },
  tempDirName: 'reports/mutation/.stryker-tmp-sched',
};
