// `npm run mutate -- mutation/stryker.epoll.mjs --mutate src/kernel/epoll.ts:241-446 --concurrency 1`:
// the kernel profile narrowed to the tests that call epoll
// (mutation/vitest.epoll.config.ts), with its own incremental file and reports.
import kernel from './stryker.kernel.mjs';

export default {
  ...kernel,
  vitest: { ...kernel.vitest, configFile: 'mutation/vitest.epoll.config.ts' },
  // these tests take a few seconds: a mutant that loops is stopped 10 s past 1.5 x their time
  timeoutMS: 10_000,
  incrementalFile: 'reports/mutation/epoll/stryker-incremental.json',
  htmlReporter: { fileName: 'reports/mutation/epoll/mutation.html' },
  jsonReporter: { fileName: 'reports/mutation/epoll/mutation.json' },
  tempDirName: 'reports/mutation/.stryker-tmp-epoll',
};
