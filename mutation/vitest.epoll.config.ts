// The narrowest src/kernel killing profile, for epoll.ts (`npm run mutate --
// mutation/stryker.epoll.mjs`): only the test files that make epoll calls
// (the epoll model, its fixed edge programs, two waiters in epoll_wait, and
// the timed and signalled sleeps), in the mutation profile with fast-check
// stopping at its first counterexample. Every test boots a kernel, which
// defines the epoll syscalls, so a surviving mutant of registerEpoll is
// covered by every test of a wider profile and reruns all of them; here it
// reruns four files. A lower bound of the kernel profile's score, whose
// tests include these.
import { defineConfig } from 'vitest/config';
import CheapestFirst from './sequencer.ts';

export default defineConfig({
  test: {
    include: ['properties/epoll-model.test.ts', 'properties/epoll-edges.test.ts', 'properties/epoll-wait.test.ts', 'properties/sleep-timeouts.test.ts'],
    setupFiles: ['test/setup.ts', 'mutation/setup.mutate.ts'],
    env: { UNIXSIM_MUTATE: '1' },
    sequence: { sequencer: CheapestFirst },
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
