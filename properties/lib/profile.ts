// The mutation-testing profile: UNIXSIM_MUTATE=1 (set by
// mutation/vitest.config.ts for `npm run mutate`). StrykerJS reruns every
// property and scenario that reaches a mutant, and a surviving mutant runs
// them all to the end; so in this profile each property makes a fifth of
// its fast-check runs and each scenario sweep a tenth of its seeds, and the
// tests of a property itself (it finds its planted bug) are not run: they
// judge the property, not the kernel, and under a mutant they pass or fail
// for reasons that say nothing about the mutant. npm test never sets it.
import { it } from 'vitest';

export const MUTATE = process.env.UNIXSIM_MUTATE === '1';

/** A property's fast-check run count: n normally, a fifth of it (at least 3) when mutating. */
export function propertyRuns(n: number): number {
  return MUTATE ? Math.max(3, Math.ceil(n / 5)) : n;
}

/** A scenario sweep's seed count: n normally, a tenth of it (at least 3) when mutating. */
export function sweepSeeds(n: number): number {
  return MUTATE ? Math.max(3, Math.ceil(n / 10)) : n;
}

/** `it` for a test of a property itself (it finds a planted bug): not run when mutating. */
export const itFindsPlanted = MUTATE ? it.skip : it;
