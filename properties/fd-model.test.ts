// The fd table against a set-of-open-fds model: the model and the program
// generator are in gen/fd-model.ts.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fdModelProperty } from './gen/fd-model.ts';
import { itFindsPlanted, propertyRuns } from './lib/profile.ts';

describe('the fd table against a model', () => {
  it('every new fd is the lowest free one, within RLIMIT_NOFILE, with the right FD_CLOEXEC and file', () => {
    fc.assert(fdModelProperty(), { numRuns: propertyRuns(40), seed: 20_261_203 });
  });

  itFindsPlanted('finds the planted bug dup-no-ref', () => {
    const details = fc.check(fdModelProperty(['dup-no-ref']), { numRuns: 40, seed: 20_261_203, endOnFailure: true });
    expect(details.failed, 'dup-no-ref not found in 40 runs').toBe(true);
  });
});
