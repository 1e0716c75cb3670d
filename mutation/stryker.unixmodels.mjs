// `npm run mutate -- mutation/stryker.unixmodels.mjs --mutate src/unix/stream.ts`:
// a quick first pass over src/unix with only its model properties and the
// differential property against Linux as killing tests
// (properties/unix-*.test.ts, properties/linux-diff.test.ts;
// mutation/vitest.unixmodels.config.ts).
// Its score is a lower bound of the src/unix profile's (whose tests include
// these): minutes per file where that profile, which reruns every socket
// property and scenario per surviving mutant, takes hours on stream.ts.
import base from '../stryker.config.mjs';

export default {
  ...base,
  mutate: ['src/unix/**/*.ts'],
  vitest: { ...base.vitest, configFile: 'mutation/vitest.unixmodels.config.ts' },
  incrementalFile: 'reports/mutation/unixmodels/stryker-incremental.json',
  htmlReporter: { fileName: 'reports/mutation/unixmodels/mutation.html' },
  jsonReporter: { fileName: 'reports/mutation/unixmodels/mutation.json' },
  tempDirName: 'reports/mutation/.stryker-tmp-unixmodels',
};
