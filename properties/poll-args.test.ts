// ppoll and pselect6: argument checks in Linux's order, readiness, sleep,
// timeout write-back and the call's signal mask (gen/poll-args.ts).
import fc from 'fast-check';
import { describe, it } from 'vitest';
import { type Case, pollArgsProperty } from './gen/poll-args.ts';
import { MUTATE } from './lib/profile.ts';

describe('ppoll and pselect6 arguments, sleep and sigmask', () => {
  it('every error, result, time left, revents, fd set and handler run is what Linux gives', () => {
    // the first example is the case that found pselect6 checking nfds before its sigmask (now in Linux's order)
    const examples: [Case][] = [[{ call: 'pselect', tmo: 'null', mask: 'fault', fds: 'negn', sig: 'none', seed: 0 }]];
    fc.assert(pollArgsProperty(), { numRuns: MUTATE ? 40 : 60, seed: 20_261_205, examples });
  });
});
