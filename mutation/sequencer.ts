// The order `npm run mutate` runs the killing test files in: cheapest first
// (test time of each file in the mutation profile, measured once on a quiet
// machine, 2026-12-01), so that a mutant a quick model property kills is
// not first run through the scenario sweeps. Stryker's vitest runner stops
// at a mutant's first failing test, so this saves time on killed mutants;
// a survivor still runs every test that reaches it. Files not listed run last.
import { relative } from 'node:path';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

const CHEAPEST_FIRST = [
  'properties/rng.test.ts',
  'properties/strategy-models.test.ts',
  'properties/footprint-commute.test.ts',
  'properties/toy-exploration.test.ts',
  'properties/toy-faults-roots.test.ts',
  'properties/scheduler-model.test.ts',
  'properties/cov-model.test.ts',
  'properties/trace-hash.test.ts',
  'properties/event-queue-model.test.ts',
  'properties/fdbitmap-model.test.ts',
  'properties/gc-concurrent.test.ts', // 0.15 s
  'properties/sleep-timeouts.test.ts',
  'properties/waitqueue-model.test.ts',
  'properties/pipe-model.test.ts',
  'properties/epoll-model.test.ts',
  'properties/poll-args.test.ts',
  'properties/epoll-wait.test.ts',
  'properties/exploration.test.ts',
  'properties/fd-model.test.ts',
  'properties/pipe-integrity.test.ts',
  'properties/scm-identity.test.ts',
  'properties/wake-duties.test.ts',
  'properties/strategies.test.ts',
  'properties/scm-conservation.test.ts',
  'properties/waker-liveness.test.ts',
  'properties/accept-accounting.test.ts',
  'properties/dispatcher-fuzz.test.ts',
  'properties/stream-integrity.test.ts',
  'properties/determinism.test.ts',
  'scenarios/scenarios.test.ts', // 14 s
];

export default class CheapestFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const rank = (s: TestSpecification) => {
      const i = CHEAPEST_FIRST.indexOf(relative(s.project.config.root, s.moduleId));
      return i < 0 ? CHEAPEST_FIRST.length : i;
    };
    return [...files].sort((a, b) => rank(a) - rank(b));
  }
}
