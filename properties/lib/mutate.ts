// UNIXSIM_MUTATE=1 is set by the fast mutation profiles (mutation/vitest.unix.config.ts):
// each surviving mutant reruns every property and scenario that reaches it, so
// there the properties make a fifth of their runs (the cheap model properties more) and the meta-tests that only
// show a property finds a planted bug are left out (they check the property,
// not the kernel: a mutant cannot be killed by them, only slowed down).
// Unset (npm test, CI), nothing changes.
import { it } from 'vitest';

export const MUTATE = process.env.UNIXSIM_MUTATE === '1';

/** n runs, or a fifth of them (at least `min`) under UNIXSIM_MUTATE=1. */
export function mutateRuns(n: number, min = 5): number {
  return MUTATE ? Math.min(n, Math.max(min, Math.ceil(n / 5))) : n;
}

/** `it` for a test that checks a property finds a planted bug: left out under UNIXSIM_MUTATE=1. */
export const plantedIt = MUTATE ? it.skip : it;
