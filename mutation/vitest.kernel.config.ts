// The fast killing profile for the src/kernel files (`npm run mutate --
// mutation/stryker.kernel.mjs`): the one-process model properties of the
// epoll, poll arguments, pipe, fd table and fd bitmap (run first: they kill
// most mutants in a second), then the properties whose programs sleep and
// wake on pipes and sockets (timed sleeps, wake duties, pipe integrity), in
// the mutation profile (UNIXSIM_MUTATE=1, properties/lib/profile.ts) with
// fast-check stopping at its first counterexample (mutation/setup.mutate.ts).
// Left out, for time on a loaded machine: the scenarios (a surviving
// mutant of a file every test reaches reruns their whole sweep, about a
// minute), the scheduler's and strategies' own properties, the socket and
// SCM_RIGHTS properties and the determinism checks. So its score is a lower
// bound of the full profile's (mutation/vitest.config.ts), whose tests
// include these: a mutant that survives here may die there.
import { relative } from 'node:path';
import { defineConfig } from 'vitest/config';
import type { TestSpecification } from 'vitest/node';
import CheapestFirst from './sequencer.ts';

const MODELS = ['properties/epoll-model.test.ts', 'properties/epoll-edges.test.ts', 'properties/epoll-wait.test.ts', 'properties/poll-args.test.ts', 'properties/pipe-model.test.ts', 'properties/pipe-memory.test.ts', 'properties/fd-model.test.ts', 'properties/fdbitmap-model.test.ts'];

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
    ],
    setupFiles: ['test/setup.ts', 'mutation/setup.mutate.ts'],
    env: { UNIXSIM_MUTATE: '1' },
    sequence: { sequencer: KernelModelsFirst },
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
