// Blocking epoll_wait with one or two waiting threads: wake-one, the wake
// passed on for a level-triggered entry, timeouts and EINTR (gen/epoll-wait.ts).
import fc from 'fast-check';
import { describe, it } from 'vitest';
import { epollWaitProperty } from './gen/epoll-wait.ts';
import { MUTATE } from './lib/profile.ts';

describe('blocking epoll_wait', () => {
  it('each waiter returns what and when epoll(7) says: the event, its timeout, or EINTR', () => {
    fc.assert(epollWaitProperty(), { numRuns: MUTATE ? 30 : 60, seed: 20_261_206 }); // 30 when mutating: a fifth reaches too few cases
  });
});
