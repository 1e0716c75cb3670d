// `npm run mutate -- mutation/stryker.unix.mjs --mutate src/unix/listener.ts --concurrency 1`:
// stryker.config.mjs with the fast src/unix killing profile
// (mutation/vitest.unix.config.ts: socket properties and scenarios, fewer runs
// under UNIXSIM_MUTATE=1), and its own incremental file, reports and temp dir.
import base from '../stryker.config.mjs';

export default {
  ...base,
  mutate: ['src/unix/**/*.ts'],
  vitest: { ...base.vitest, configFile: 'mutation/vitest.unix.config.ts' },
  incrementalFile: 'reports/mutation/unix/stryker-incremental.json',
  htmlReporter: { fileName: 'reports/mutation/unix/mutation.html' },
  jsonReporter: { fileName: 'reports/mutation/unix/mutation.json' },
  tempDirName: 'reports/mutation/.stryker-tmp-unix',
};
