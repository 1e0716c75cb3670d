// The killing tests of mutation/stryker.unixmodels.mjs: the src/unix model
// properties (each call's result checked against a model written from
// unix(7) and af_unix.c) and linux-diff (each against the running Linux), in
// the mutation profile (UNIXSIM_MUTATE=1: a fifth
// of the fast-check runs, no planted-bug meta-tests) and stopping at the
// first counterexample (mutation/setup.mutate.ts). The fixed edge programs
// (properties/unix-linux-cases.test.ts, a few seconds) run first: Stryker
// stops a mutant's run at its first failing test, and most mutants they
// kill would otherwise run many of linux-diff's random programs first.
import { relative } from 'node:path';
import { defineConfig } from 'vitest/config';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

const FIRST = 'properties/unix-linux-cases.test.ts';

class EdgeCasesFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const isFirst = (s: TestSpecification) => relative(s.project.config.root, s.moduleId) === FIRST;
    const sorted = await super.sort(files);
    return [...sorted.filter(isFirst), ...sorted.filter((s) => !isFirst(s))];
  }
}

export default defineConfig({
  test: {
    include: ['properties/unix-*.test.ts', 'properties/linux-diff.test.ts'],
    setupFiles: ['test/setup.ts', 'mutation/setup.mutate.ts'],
    env: { UNIXSIM_MUTATE: '1' },
    sequence: { sequencer: EdgeCasesFirst },
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
