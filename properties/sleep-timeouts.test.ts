// Timed and interrupted sleeps against Linux's rules (deadline, data, signal
// with and without SA_RESTART): the cases and the model are in gen/sleeps.ts.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { sleepProperty } from './gen/sleeps.ts';
import { itFindsPlanted, propertyRuns } from './lib/profile.ts';

describe('timed and interrupted sleeps', () => {
  it('end when, and with what, Linux says: deadline, data, or signal (restarted only without a timeout, after SA_RESTART)', () => {
    fc.assert(sleepProperty([]), { numRuns: propertyRuns(80), seed: 20_261_204 });
  });

  itFindsPlanted('finds the planted bug sleep-ignores-pending-signal', () => {
    const details = fc.check(sleepProperty(['sleep-ignores-pending-signal']), { numRuns: 80, seed: 20_261_204, endOnFailure: true });
    expect(details.failed, 'sleep-ignores-pending-signal not found in 80 runs').toBe(true);
    expect(String((details.errorInstance as Error | undefined)?.message)).toMatch(/returned -4 after \d+ ns; model -4 after 0 ns/);
  });

  // The runs check wake duties, which include finish_wait: a sleep that ended leaves no waker behind.
  itFindsPlanted('finds the planted bug sleep-keeps-waker (a waker left on the queue after a timed-out sleep)', () => {
    const details = fc.check(sleepProperty(['sleep-keeps-waker']), { numRuns: 80, seed: 20_261_204, endOnFailure: true });
    expect(details.failed, 'sleep-keeps-waker not found in 80 runs').toBe(true);
    expect(String((details.errorInstance as Error | undefined)?.message)).toMatch(/sleep not finished: .* runs on with its waker still on/);
  });
});
