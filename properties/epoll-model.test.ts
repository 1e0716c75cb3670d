// epoll against a model of epoll(7) over pipes and nested epoll instances:
// the model and the program generator are in gen/epoll-model.ts.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { epollModelProperty, type Op } from './gen/epoll-model.ts';
import { itFindsPlanted } from './lib/profile.ts';

// The edges fs/pipe.c gives edge-triggered entries, as a native program showed them on Linux 6.18
// (fds by the generator's references: ctl fd 2 the read end, 1 the write end, 0 the regular file;
// write and read fd 1 the pipe's ends; close fd 1 the read end; ep 1 the epoll fd).
const IN = 0x1, OUT = 0x4, ET = 2 ** 31;
const START: Op[] = [{ op: 'pipe' }, { op: 'epoll', badFlags: false }];
const wait: Op = { op: 'wait', ep: 1, max: 8 };
const PIPE_EDGES: [Op[]][] = [
  // a write that fails with EAGAIN wakes the readers (pipe_write's out:); a read that leaves bytes does not
  [[...START, { op: 'ctl', ctl: 1, ep: 1, fd: 2, events: IN | ET }, { op: 'write', fd: 1, n: 'fill' }, wait, wait,
    { op: 'write', fd: 1, n: 1 }, wait, { op: 'read', fd: 1, n: 1 }, wait]],
  // a write never wakes the writers, a read only of a full pipe, the reader's last close both
  [[...START, { op: 'ctl', ctl: 1, ep: 1, fd: 1, events: OUT | ET }, wait, { op: 'write', fd: 1, n: 1 }, wait,
    { op: 'read', fd: 1, n: 1 }, wait, { op: 'write', fd: 1, n: 'fill' }, wait, { op: 'read', fd: 1, n: 4096 }, wait,
    { op: 'close', fd: 1 }, wait]],
  // two ready entries, maxevents 1: one reported (ep_send_events stops at maxevents)
  [[...START, { op: 'ctl', ctl: 1, ep: 1, fd: 2, events: IN }, { op: 'ctl', ctl: 1, ep: 1, fd: 1, events: OUT },
    { op: 'write', fd: 1, n: 1 }, { op: 'wait', ep: 1, max: 1 }, { op: 'wait', ep: 1, max: 1 }]],
  // an entry outlives its fd while a dup holds the file; a new file at that fd number is a new entry (keyed by file and fd)
  [[...START, { op: 'dup', fd: 1 }, { op: 'ctl', ctl: 1, ep: 1, fd: 2, events: IN }, { op: 'close', fd: 4 }, { op: 'pipe' },
    { op: 'ctl', ctl: 1, ep: 1, fd: 2, events: IN }, { op: 'write', fd: 1, n: 1 }, wait]],
  // a nested instance: data for an entry of the inner one makes the outer one's entry ready (the inner's pollers' queue)
  [[...START, { op: 'epoll', badFlags: false }, { op: 'ctl', ctl: 1, ep: 2, fd: 9, events: IN }, { op: 'ctl', ctl: 1, ep: 1, fd: 2, events: IN },
    { op: 'write', fd: 1, n: 1 }, { op: 'wait', ep: 2, max: 8 }]],
  // a regular file cannot be watched (file_can_poll): EPERM, for ADD, MOD and DEL
  [[...START, { op: 'ctl', ctl: 1, ep: 1, fd: 0, events: IN }, { op: 'ctl', ctl: 3, ep: 1, fd: 0, events: IN },
    { op: 'ctl', ctl: 2, ep: 1, fd: 0, events: IN }]],
];

describe('epoll against a model', () => {
  it('every epoll_ctl and epoll_wait result, reported entry and revents agrees with the model', () => {
    // not fifthed when mutating (8 runs reach too little of it: nesting, faults); 40 short runs cost about a second
    fc.assert(epollModelProperty(), { numRuns: 40, seed: 20_261_203, examples: PIPE_EDGES });
  });

  itFindsPlanted('finds the planted bug epoll-et-no-rearm', () => {
    const details = fc.check(epollModelProperty(['epoll-et-no-rearm']), { numRuns: 100, seed: 20_261_203, endOnFailure: true });
    expect(details.failed, 'epoll-et-no-rearm not found in 100 runs').toBe(true);
  });
});
