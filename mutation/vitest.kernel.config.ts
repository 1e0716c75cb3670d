// The fast killing profile for the src/kernel files (`npm run mutate --
// mutation/stryker.kernel.mjs`): the one-process model properties of the
// pipe, fd table, fd bitmap and epoll (run first: they kill most mutants in
// a second), the properties whose programs sleep and wake on pipes and
// sockets (timed sleeps, wake duties, pipe integrity, waker liveness), and
// the scenarios, in the mutation profile (UNIXSIM_MUTATE=1,
// properties/lib/profile.ts) with fast-check stopping at its first
// counterexample (mutation/setup.mutate.ts). Left out: the scheduler's and
// strategies' own properties, the SCM_RIGHTS and accept properties and the
// determinism checks, whose runs reach these files only through the same
// calls the kept ones make, at many times the cost. Its score is a lower
// bound of the full profile's (mutation/vitest.config.ts), whose tests
// include these.
import { relative } from 'node:path';
import { defineConfig } from 'vitest/config';
import type { TestSpecification } from 'vitest/node';
import CheapestFirst from './sequencer.ts';

const MODELS = ['properties/epoll-model.test.ts', 'properties/poll-args.test.ts', 'properties/pipe-model.test.ts', 'properties/fd-model.test.ts', 'properties/fdbitmap-model.test.ts'];

class KernelModelsFirst extends CheapestFirst {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const isModel = (s: TestSpecification) => MODELS.includes(relative(s.project.config.root, s.moduleId));
    return [...sorted.filter(isModel), ...sorted.filter((s) => !isModel(s))];
  }
}

export default defineConfig({
  test: {
    include: [
      ...MODELS,
      'properties/sleep-timeouts.test.ts',
      'properties/wake-duties.test.ts',
      'properties/pipe-integrity.test.ts',
      'properties/waker-liveness.test.ts',
      'scenarios/**/*.test.ts',
    ],
    setupFiles: ['test/setup.ts', 'mutation/setup.mutate.ts'],
    env: { UNIXSIM_MUTATE: '1' },
    sequence: { sequencer: KernelModelsFirst },
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
