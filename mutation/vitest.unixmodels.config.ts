// The killing tests of mutation/stryker.unixmodels.mjs: the src/unix model
// properties (each call's result checked against a model written from
// unix(7) and af_unix.c) and linux-diff (each against the running Linux), in
// the mutation profile (UNIXSIM_MUTATE=1: a fifth
// of the fast-check runs, no planted-bug meta-tests) and stopping at the
// first counterexample (mutation/setup.mutate.ts). The fixed edge programs
// (properties/unix-linux-cases.test.ts) run last: a mutant they kill is one
// every other test let through, which is how README's "before" and "after"
// columns are told apart in one run (the report's killedBy).
import { relative } from 'node:path';
import { defineConfig } from 'vitest/config';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

const LAST = 'properties/unix-linux-cases.test.ts';

class EdgeCasesLast extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const isLast = (s: TestSpecification) => relative(s.project.config.root, s.moduleId) === LAST;
    const sorted = await super.sort(files);
    return [...sorted.filter((s) => !isLast(s)), ...sorted.filter(isLast)];
  }
}

export default defineConfig({
  test: {
    include: ['properties/unix-*.test.ts', 'properties/linux-diff.test.ts'],
    setupFiles: ['test/setup.ts', 'mutation/setup.mutate.ts'],
    env: { UNIXSIM_MUTATE: '1' },
    sequence: { sequencer: EdgeCasesLast },
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
