// The fast killing profile for src/unix (`npm run mutate -- mutation/stryker.unix.mjs`):
// the properties that run socket programs, the model properties of src/unix
// (properties/unix-*.test.ts) and the scenarios, in the mutation profile
// (UNIXSIM_MUTATE=1, properties/lib/profile.ts: a fifth of the fast-check
// runs, a tenth of the scenario seeds, no planted-bug meta-tests), with
// fast-check stopping at its first counterexample instead of shrinking it
// (mutation/setup.mutate.ts). The unix model properties run first, then the
// rest cheapest first (mutation/sequencer.ts): Stryker stops a mutant's run
// at its first failing test. Left out: the pipe, fd-table, wait-queue,
// strategy, determinism and planted-bug files, which run no AF_UNIX code
// worth their time.
import { relative } from 'node:path';
import { defineConfig } from 'vitest/config';
import type { TestSpecification } from 'vitest/node';
import CheapestFirst from './sequencer.ts';

class UnixModelsFirst extends CheapestFirst {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const isModel = (s: TestSpecification) => relative(s.project.config.root, s.moduleId).startsWith('properties/unix-');
    return [...sorted.filter(isModel), ...sorted.filter((s) => !isModel(s))];
  }
}

export default defineConfig({
  test: {
    include: [
      'properties/unix-*.test.ts',
      'properties/linux-diff.test.ts',
      'properties/accept-accounting.test.ts',
      'properties/stream-integrity.test.ts',
      'properties/waker-liveness.test.ts',
      'properties/wake-duties.test.ts',
      'properties/scm-conservation.test.ts',
      'properties/scm-identity.test.ts',
      'properties/gc-concurrent.test.ts',
      'properties/dispatcher-fuzz.test.ts',
      'properties/sleep-timeouts.test.ts',
      'scenarios/**/*.test.ts',
    ],
    setupFiles: ['test/setup.ts', 'mutation/setup.mutate.ts'],
    env: { UNIXSIM_MUTATE: '1' },
    sequence: { sequencer: UnixModelsFirst },
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
