// AF_UNIX sockets against a model (properties/gen/unix-model.ts): listener
// backlogs, datagram queue limits, resets, shutdown and poll masks of random
// non-blocking one-process programs.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { unixModelProperty } from './gen/unix-model.ts';
import { itFindsPlanted, MUTATE } from './lib/profile.ts';

const SEED = 20_261_205;

describe('AF_UNIX sockets against a model', () => {
  it('every result, byte, sender and revents agrees with the model', () => {
    fc.assert(unixModelProperty(), { numRuns: MUTATE ? 60 : 25, seed: SEED });
  });

  itFindsPlanted('finds the planted bug stream-partial-read-drops-rest', () => {
    const details = fc.check(unixModelProperty(['stream-partial-read-drops-rest']), { numRuns: 40, seed: SEED, endOnFailure: true });
    expect(details.failed).toBe(true);
  });
});
