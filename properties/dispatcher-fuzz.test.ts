// Dispatcher fuzz: 100,000+ random syscalls (random numbers, nasty register
// values) from 2-4 scripted processes never raise a host exception and
// leave the kernel's invariants intact (checked after every step). Runs
// that deadlock (a fuzzed read on a pipe, a wait4) or hit the step limit
// are fine: those are guest-visible outcomes, not kernel failures.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { runScenario } from '../src/script/runner.ts';
import { callArb, CALLS_PER_PROCESS, fuzzScenario, tableNumbers } from './gen/syscalls.ts';
import { itFindsPlanted, propertyRuns } from './lib/profile.ts';

const NUM_RUNS = propertyRuns(100);

describe('dispatcher fuzz', () => {
  it(`${NUM_RUNS} runs of random syscalls keep the kernel whole`, () => {
    const nrs = tableNumbers();
    const procsArb = fc.array(fc.array(callArb(nrs), { minLength: CALLS_PER_PROCESS, maxLength: CALLS_PER_PROCESS }), { minLength: 2, maxLength: 4 });
    let generated = 0;
    let executed = 0;
    fc.assert(
      fc.property(procsArb, fc.integer({ min: 0, max: 2 ** 31 - 1 }), (procs, seed) => {
        // Every other run under a 64 MiB memory budget: a small budget must fail cleanly too. No time
        // budget: a random far-future nanosleep jumps the clock instead of ending the run early.
        const r = runScenario(fuzzScenario(procs), { seed, checkInvariants: true, memory: seed % 2 ? 64 * 2 ** 20 : undefined, maxTime: Infinity });
        generated += procs.length * CALLS_PER_PROCESS;
        executed += r.kernel.stats.syscalls;
        const broken = r.failures.filter((f) => /internal error|invariant|script error/.test(f));
        if (broken.length) {
          throw new Error(`${broken.join('\n')}\n  run seed ${seed}: replay with runScenario(fuzzScenario(procs), { seed: ${seed}, checkInvariants: true }) on the counterexample below`);
        }
      }),
      { numRuns: NUM_RUNS },
    );
    console.log(`[dispatcher-fuzz] ${generated} syscalls generated, ${executed} dispatched in all (setup calls included; calls after a deadlock or a death never run)`);
    expect(generated).toBeGreaterThanOrEqual(propertyRuns(100_000));
  });

  itFindsPlanted('finds the planted bug dup-no-ref (a reference count that disagrees with the references)', () => {
    const nrs = tableNumbers();
    const procsArb = fc.array(fc.array(callArb(nrs), { minLength: CALLS_PER_PROCESS, maxLength: CALLS_PER_PROCESS }), { minLength: 2, maxLength: 4 });
    const details = fc.check(
      fc.property(procsArb, fc.integer({ min: 0, max: 2 ** 31 - 1 }), (procs, seed) => {
        const r = runScenario(fuzzScenario(procs), { seed, checkInvariants: true, bugs: ['dup-no-ref'] });
        return !r.failures.some((f) => /internal error|invariant|script error/.test(f));
      }),
      { numRuns: NUM_RUNS, endOnFailure: true },
    );
    expect(details.failed, `dup-no-ref not found in ${NUM_RUNS} runs (fast-check seed ${details.seed})`).toBe(true);
    console.log(`[dispatcher-fuzz] dup-no-ref: found at run ${details.numRuns}, fast-check seed ${details.seed}`);
  });
});
