// Determinism: a generated program run twice with the same seed gives the
// same trace hash, and replaying the recorded picks (under another seed)
// reproduces it. Different seeds may differ (and, over a sweep, do).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { runScenario } from '../src/script/runner.ts';
import { opsProgramArb, opsScenario } from './gen/ops.ts';

const NUM_RUNS = 300;

describe('determinism', () => {
  it('same seed, same hash; recorded picks replay to the same hash', () => {
    fc.assert(
      fc.property(opsProgramArb, fc.integer({ min: 0, max: 2 ** 31 - 1 }), fc.constantFrom('random', 'pct', 'rr' as const), (prog, seed, strategy) => {
        const sc = opsScenario(prog);
        const a = runScenario(sc, { seed, strategy });
        const b = runScenario(sc, { seed, strategy });
        const where = `seed ${seed}, strategy ${strategy}`;
        expect(a.failures.filter((f) => f.startsWith('internal error')), where).toEqual([]);
        expect(b.hash, `rerun with ${where}`).toBe(a.hash);
        expect(b.picks).toEqual(a.picks);
        const c = runScenario(sc, { seed: seed + 1, strategy, picks: a.picks });
        expect(c.end.kind, `replay of ${where}`).not.toBe('replay-diverged');
        expect(c.hash, `replay of ${a.picks.length} picks from ${where}`).toBe(a.hash);
      }),
      { numRuns: NUM_RUNS },
    );
  });

  it('text recording does not change the hash', () => {
    fc.assert(
      fc.property(opsProgramArb, fc.integer({ min: 0, max: 1000 }), (prog, seed) => {
        const sc = opsScenario(prog);
        expect(runScenario(sc, { seed, recordText: true }).hash).toBe(runScenario(sc, { seed }).hash);
      }),
      { numRuns: 30 },
    );
  });

  it('different seeds explore different interleavings', () => {
    const prog = fc.sample(opsProgramArb.filter((p) => p.procs.every((ops) => ops.length >= 10)), { numRuns: 1, seed: 5 })[0];
    const hashes = new Set<string>();
    for (let s = 0; s < 20; s++) hashes.add(runScenario(opsScenario(prog), { seed: s }).hash);
    expect(hashes.size).toBeGreaterThan(1);
  });
});
