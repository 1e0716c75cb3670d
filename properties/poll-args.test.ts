// ppoll and pselect6: argument checks in Linux's order, readiness, sleep,
// timeout write-back and the call's signal mask (gen/poll-args.ts).
import fc from 'fast-check';
import { describe, it } from 'vitest';
import { type Case, pollArgsProperty } from './gen/poll-args.ts';
import { MUTATE } from './lib/profile.ts';

describe('ppoll and pselect6 arguments, sleep and sigmask', () => {
  it('every error, result, time left, revents, fd set and handler run is what Linux gives', () => {
    // the first example is the case that found pselect6 checking nfds before its sigmask (now in Linux's order)
    // the others: a mask that holds SIGUSR1 back (its one bit, little-endian), and no mask, which leaves the process's
    // own; then boundaries the random cases reach rarely
    const examples: [Case][] = [[{ call: 'pselect', tmo: 'null', mask: 'fault', fds: 'negn', sig: 'none', seed: 0 }],
      ...(['ppoll', 'pselect'] as const).flatMap((call): [Case][] => [
        [{ call, tmo: 'long', mask: 'empty', fds: 'notready', sig: 'held-back', seed: 1 }],
        [{ call, tmo: 'long', mask: 'none', fds: 'notready', sig: 'let-through', seed: 1 }],
        [{ call, tmo: 'long', mask: 'nullss', fds: 'notready', sig: 'held-back', seed: 1 }],
        [{ call, tmo: 'zero', mask: 'badsize', fds: 'ready', sig: 'none', seed: 1 }],
        [{ call, tmo: 'null', mask: 'none', fds: 'negn', sig: 'none', seed: 1 }],
        [{ call, tmo: 'long', mask: 'empty', fds: 'notready', sig: 'let-through', seed: 1 }],
        [{ call, tmo: 'long', mask: 'empty', fds: 'atlimit', sig: 'none', seed: 1 }],
        // pollfds or sets in a read-only page: EFAULT once the wait ends (data, or for ppoll a signal too)
        [{ call, tmo: 'long', mask: 'none', fds: 'readonly', sig: 'none', seed: 1 }],
        [{ call, tmo: 'long', mask: 'empty', fds: 'readonly', sig: 'let-through', seed: 1 }],
      ])];
    fc.assert(pollArgsProperty(), { numRuns: MUTATE ? 40 : 60, seed: 20_261_205, examples });
  });
});
