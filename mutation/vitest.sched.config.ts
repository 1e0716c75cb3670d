// A quick pass for `npm run mutate -- mutation/stryker.sched.mjs` over the
// scheduler's strategies, explorers and footprints: only the properties of
// the schedulers themselves as killing tests (strategy models, replay and
// pct, exhaustive exploration; the generator, hash, event queue and wait
// queue models), in the mutation profile. Its score is a
// lower bound of the full run's (stryker.config.mjs's killing tests include
// these); a survivor costs seconds here instead of a rerun of every
// property and scenario that happens to run a random schedule.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: [
      'properties/strategy-models.test.ts',
      'properties/footprint-commute.test.ts',
      'properties/toy-exploration.test.ts',
      'properties/toy-faults-roots.test.ts',
      'properties/dpor-races.test.ts',
      'properties/scheduler-model.test.ts',
      'properties/cov-model.test.ts',
      'properties/exploration.test.ts',
      'properties/strategies.test.ts',
      // the small files' own models: the clock, the event queue, the generator, the hash, the wait queue
      'properties/rng.test.ts',
      'properties/trace-hash.test.ts',
      'properties/event-queue-model.test.ts',
      'properties/waitqueue-model.test.ts',
    ],
    env: { UNIXSIM_MUTATE: '1' },
    setupFiles: ['test/setup.ts', 'mutation/setup.mutate.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
