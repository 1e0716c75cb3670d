// `npm run mutate -- mutation/stryker.models.mjs --mutate src/kernel/pipe.ts`:
// stryker.config.mjs with only the model properties as killing tests
// (mutation/vitest.models.config.ts), and its own incremental file and reports.
import base from '../stryker.config.mjs';

export default {
  ...base,
  vitest: { ...base.vitest, configFile: 'mutation/vitest.models.config.ts' },
  incrementalFile: 'reports/mutation/models/stryker-incremental.json',
  htmlReporter: { fileName: 'reports/mutation/models/mutation.html' },
  jsonReporter: { fileName: 'reports/mutation/models/mutation.json' },
  tempDirName: 'reports/mutation/.stryker-tmp-models',
};
