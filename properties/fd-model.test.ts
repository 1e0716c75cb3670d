// The fd table against a set-of-open-fds model: the model and the program
// generator are in gen/fd-model.ts.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fdModelProperty, type Op } from './gen/fd-model.ts';
import { itFindsPlanted } from './lib/profile.ts';

describe('the fd table against a model', () => {
  it('every new fd is the lowest free one, within RLIMIT_NOFILE, with the right FD_CLOEXEC and file', () => {
    // not fifthed when mutating: at 8 runs close(0) and F_SETFD on fd 0 never came up, and the mutants that
    // refuse fd 0 lived (src/kernel/fdtable.ts, Stryker's kernel profile); 40 short runs cost about a second
    // a fixed example: one fd free below the limit, so pipe2's second fd fails (EMFILE) and its first must be freed again
    const examples: [Op[], boolean][] = [[[{ op: 'pipe' }, { op: 'fill', below: 10 }, { op: 'limit', n: 11 }, { op: 'pipe' }, { op: 'socketpair' }, { op: 'dup', fd: 0 }], false]];
    fc.assert(fdModelProperty(), { numRuns: 40, seed: 20_261_203, examples });
  });

  itFindsPlanted('finds the planted bug dup-no-ref', () => {
    const details = fc.check(fdModelProperty(['dup-no-ref']), { numRuns: 40, seed: 20_261_203, endOnFailure: true });
    expect(details.failed, 'dup-no-ref not found in 40 runs').toBe(true);
  });
});
