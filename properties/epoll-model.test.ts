// epoll against a model of epoll(7) over pipes and nested epoll instances:
// the model and the program generator are in gen/epoll-model.ts.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { epollModelProperty } from './gen/epoll-model.ts';
import { itFindsPlanted } from './lib/profile.ts';

describe('epoll against a model', () => {
  it('every epoll_ctl and epoll_wait result, reported entry and revents agrees with the model', () => {
    // not fifthed when mutating (8 runs reach too little of it: nesting, faults); 40 short runs cost about a second
    fc.assert(epollModelProperty(), { numRuns: 40, seed: 20_261_203 });
  });

  itFindsPlanted('finds the planted bug epoll-et-no-rearm', () => {
    const details = fc.check(epollModelProperty(['epoll-et-no-rearm']), { numRuns: 100, seed: 20_261_203, endOnFailure: true });
    expect(details.failed, 'epoll-et-no-rearm not found in 100 runs').toBe(true);
  });
});
