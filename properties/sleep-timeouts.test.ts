// Timed and interrupted sleeps against Linux's rules (deadline, data, signal
// with and without SA_RESTART): the cases and the model are in gen/sleeps.ts.
import fc from 'fast-check';
import { describe, it } from 'vitest';
import { sleepProperty } from './gen/sleeps.ts';

describe('timed and interrupted sleeps', () => {
  it('end when, and with what, Linux says: deadline, data, or signal (restarted only without a timeout, after SA_RESTART)', () => {
    fc.assert(sleepProperty(), { numRuns: 80, seed: 20_261_204 });
  });
});
