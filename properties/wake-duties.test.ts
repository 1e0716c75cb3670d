// Property: at every step, every sleeper whose wait condition now holds has
// been woken (src/kernel/wake-duty.ts; each queue states its condition where
// it is created). Holds on the kernel for random socket, pipe and datagram
// programs; each planted missing-wake bug is found AT the step of the missed
// wake, earlier than the run without the checker ends (deadlock, or not at
// all). UNIXSIM_WAKE_RUNS=N searches deeper.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { missedWake, runWakeCase, WAKE_FAMILIES, wakeDutyProperty, wakeRuns, type WakeCase } from './lib/wake-duties.ts';
import { itFindsPlanted, propertyRuns } from './lib/profile.ts';

const SEED = 20_261_201;
const RUNS = { sockets: wakeRuns(propertyRuns(30)), pipes: wakeRuns(propertyRuns(20)), dgram: wakeRuns(propertyRuns(20)), limits: wakeRuns(propertyRuns(30)) };

describe('wake duties', () => {
  it.each(Object.values(WAKE_FAMILIES))('hold on the kernel for random $name programs', (f) => {
    fc.assert(wakeDutyProperty(f, []), { numRuns: RUNS[f.name], seed: SEED });
  });

  itFindsPlanted.each([
    ['stream-write-no-wake', 'sockets'],
    ['close-no-wake-connectors', 'sockets'],
    ['pipe-write-no-wake', 'pipes'],
    ['pipe-read-no-wake', 'pipes'],
    ['dgram-qlen-no-wake', 'dgram'],
  ] as const)('find the planted bug %s (%s programs) at the step of the missed wake', (bug, family) => {
    const f = WAKE_FAMILIES[family];
    const budget = Math.max(200, RUNS[family]);
    // no shrinking: finding it is the point, and the first counterexample is re-run below
    const details = fc.check(wakeDutyProperty(f, [bug]), { numRuns: budget, seed: SEED, endOnFailure: true });
    expect(details.failed, `${bug} not found in ${budget} ${family} runs (fast-check seed ${SEED})`).toBe(true);
    const c = details.counterexample![0] as WakeCase;
    const miss = missedWake(runWakeCase(f, c, [bug]))!;
    expect(miss.message).toMatch(/still sleeps on/);
    // The same run without the checker goes on past that step: a later deadlock, or a rescue that hides the bug.
    const plain = runWakeCase(f, c, [bug], false);
    expect(plain.steps).toBeGreaterThan(miss.step);
    console.log(
      `[wake-duties] ${bug}: found at run ${details.numRuns}/${budget}, step ${miss.step}: ${miss.message}; ` +
        `without the checker the run ends ${plain.end.kind} at step ${plain.steps}${plain.failures.length ? ` (${plain.failures[0].split('\n')[0]})` : ' with no failure'}`,
    );
  });
});
