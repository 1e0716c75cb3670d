// Each SCM planted bug (src/unix/inflight.ts) must be FOUND by its property
// within the property's default run count, with a fixed fast-check seed,
// and the property must hold on the unmodified kernel over the same runs
// (that seed, as many runs as finding the bug took; the property's own file
// runs its full count). Each report (seed, path, shrunk program, picks,
// replay command) is printed.
import { describe, expect, it } from 'vitest';
import { checkScmProperty, SCM_CONSERVATION, SCM_IDENTITY, type ScmPropertyDef } from './lib/scm.ts';

const SEED = 20_260_127;

const CASES: [string, ScmPropertyDef][] = [
  ['scm-send-no-ref', SCM_CONSERVATION],
  ['scm-peek-no-ref', SCM_CONSERVATION],
  ['close-forgets-inflight', SCM_CONSERVATION],
  ['gc-frees-reachable', SCM_IDENTITY],
];

describe('SCM planted bugs are found by their property', () => {
  it.each(CASES.map(([bug, def]) => [bug, def.name, def] as const))('%s is found by %s, which holds without it over the same runs', (bug, _name, def) => {
    const t0 = performance.now();
    const { report, details } = checkScmProperty(def, [bug], SEED);
    const ms = Math.round(performance.now() - t0);
    expect(details.failed, `${bug} was not found by ${def.name} in ${def.numRuns} runs (fast-check seed ${SEED})`).toBe(true);
    console.log(`[scm-planted-bugs] ${bug}: found by ${def.name} at run ${details.numRuns}/${def.numRuns} in ${ms} ms (incl. ${details.numShrinks} shrinks)\n${report}`);
    const clean = checkScmProperty(def, [], SEED, details.numRuns);
    expect(clean.report, clean.report ?? '').toBeNull();
  });
});
