// `npm run mutate -- mutation/stryker.kernel.mjs --mutate src/kernel/epoll.ts --concurrency 1`:
// stryker.config.mjs with the fast src/kernel killing profile
// (mutation/vitest.kernel.config.ts: the kernel model properties first, then
// the properties that sleep and wake; no scenarios, so a lower bound of the
// full profile's score), and its own incremental file, reports and temp dir.
import base from '../stryker.config.mjs';

export default {
  ...base,
  mutate: [
    'src/kernel/pipe.ts',
    'src/kernel/fdtable.ts',
    'src/kernel/fdbitmap.ts',
    'src/kernel/wait.ts',
    'src/kernel/epoll.ts',
    'src/kernel/syscalls/poll.ts',
  ],
  vitest: { ...base.vitest, configFile: 'mutation/vitest.kernel.config.ts' },
  incrementalFile: 'reports/mutation/kernel/stryker-incremental.json',
  htmlReporter: { fileName: 'reports/mutation/kernel/mutation.html' },
  jsonReporter: { fileName: 'reports/mutation/kernel/mutation.json' },
  tempDirName: 'reports/mutation/.stryker-tmp-kernel',
};
