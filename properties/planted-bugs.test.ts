// Each planted bug (src/kernel/bugs.ts and src/unix) must be FOUND by the
// property meant to catch it, within that property's run count, and the
// same property must hold on the unmodified kernel over the same runs (the
// same fast-check seed, as many runs as finding the bug took: a seed's
// first n cases do not depend on the run count), so the failure is the
// bug's and not the property's. The property's own file runs its full
// count on the unmodified kernel. The seed is fixed so the suite is
// repeatable; the report of each found bug (seed, path, shrunk program,
// picks, replay command) is printed.
import { describe, expect, it } from 'vitest';
import { ACCEPT_ACCOUNTING, checkProperty, WAKER_LIVENESS, type PropertyDef } from './lib/properties.ts';

const SEED = 20_260_127;

const CASES: [string, string, PropertyDef][] = (
  [
    ['stream-write-no-wake', WAKER_LIVENESS],
    ['accept-double-dequeue', ACCEPT_ACCOUNTING],
    ['close-no-wake-connectors', WAKER_LIVENESS],
    ['accept-single-waker', WAKER_LIVENESS],
    ['read-register-once', WAKER_LIVENESS],
  ] as const
).map(([bug, def]) => [bug, def.name, def]);

describe('planted bugs are found by their property', () => {
  it.each(CASES)('%s is found by %s, which holds without it over the same runs', (bug, _name, def) => {
    const t0 = performance.now();
    const { report, details } = checkProperty(def, [bug], SEED);
    const ms = Math.round(performance.now() - t0);
    expect(details.failed, `${bug} was not found by ${def.name} in ${def.numRuns} runs (fast-check seed ${SEED})`).toBe(true);
    console.log(`[planted-bugs] ${bug}: found by ${def.name} at run ${details.numRuns}/${def.numRuns} in ${ms} ms (incl. ${details.numShrinks} shrinks)\n${report}`);
    const clean = checkProperty(def, [], SEED, details.numRuns);
    expect(clean.report, clean.report ?? '').toBeNull();
  });
});
