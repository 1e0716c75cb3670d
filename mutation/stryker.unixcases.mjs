// `STRYKER_CONFIG=mutation/stryker.unixcases.mjs STRYKER_REPORT=reports/mutation/unixcases/mutation.json mutation/per-file.sh uc-options=src/unix/options.ts`:
// the narrowest src/unix profile, for files whose edges linux-diff's fixed
// cases are written for (options.ts, truesize.ts, namespace.ts): the unix
// model properties, linux-diff's fixed cases and 4 of its random programs
// (mutation/vitest.unixcases.config.ts). Its score is a lower bound of
// mutation/stryker.unixmodels.mjs's.
import base from '../stryker.config.mjs';

export default {
  ...base,
  mutate: ['src/unix/**/*.ts'],
  vitest: { ...base.vitest, configFile: 'mutation/vitest.unixcases.config.ts' },
  incrementalFile: 'reports/mutation/unixcases/stryker-incremental.json',
  htmlReporter: { fileName: 'reports/mutation/unixcases/mutation.html' },
  jsonReporter: { fileName: 'reports/mutation/unixcases/mutation.json' },
  tempDirName: 'reports/mutation/.stryker-tmp-unixcases',
};
