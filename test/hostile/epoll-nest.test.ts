// Nested epoll instances: the loop and depth check is Linux's ep_loop_check
// (EP_MAX_NESTS = 4, ELOOP), and it stays cheap on guest-built graphs: a deep
// chain does not recurse without bound, a diamond is visited once per node.
// The expected results of the first test are what native Linux 6.18 printed
// for the same sequence of calls (a C program run on this machine).
import { describe, expect, it } from 'vitest';
import { EPOLL_CTL_ADD, EPOLLIN } from '../../src/kernel/epoll.ts';
import { ELOOP } from '../../src/kernel/errno.ts';
import { eq, runOk } from '../kernel/harness.ts';

describe('epoll nesting (ep_loop_check)', () => {
  it('refuses a fifth level up or down, a loop, and a join that would be too deep, as Linux does', () => {
    runOk(function* (sys) {
      const up: number[] = [], down: number[] = [];
      for (let i = 0; i < 9; i++) up.push(yield* sys.epollCreate());
      for (let i = 0; i < 9; i++) down.push(yield* sys.epollCreate());
      // Native Linux: the add of e4 into e5 (and of f5 into f4) is ELOOP, all others succeed.
      for (let i = 0; i < 8; i++) eq(yield* sys.epollCtl(up[i + 1], EPOLL_CTL_ADD, up[i], EPOLLIN), i === 4 ? -ELOOP : 0, `up ${i}`);
      for (let i = 0; i < 8; i++) eq(yield* sys.epollCtl(down[i], EPOLL_CTL_ADD, down[i + 1], EPOLLIN), i === 4 ? -ELOOP : 0, `down ${i}`);
      const a = yield* sys.epollCreate(), b = yield* sys.epollCreate();
      eq(yield* sys.epollCtl(a, EPOLL_CTL_ADD, b, EPOLLIN), 0);
      eq(yield* sys.epollCtl(b, EPOLL_CTL_ADD, a, EPOLLIN), -ELOOP, 'loop');
      const g: number[] = [], h: number[] = [];
      for (let i = 0; i < 3; i++) {
        g.push(yield* sys.epollCreate());
        h.push(yield* sys.epollCreate());
      }
      for (let i = 0; i < 2; i++) {
        yield* sys.epollCtl(g[i + 1], EPOLL_CTL_ADD, g[i], EPOLLIN);
        yield* sys.epollCtl(h[i + 1], EPOLL_CTL_ADD, h[i], EPOLLIN);
      }
      eq(yield* sys.epollCtl(h[0], EPOLL_CTL_ADD, g[2], EPOLLIN), -ELOOP, 'join: 2 below + 2 above');
      eq(yield* sys.epollCtl(h[1], EPOLL_CTL_ADD, g[1], EPOLLIN), 0, 'join: 1 below + 1 above');
      return 0;
    }, { checkInvariants: false });
  });

  it('a guest chaining 1,000 epolls gets ELOOP past depth 4 and the host never recurses deeply', () => {
    runOk(function* (sys) {
      let prev = yield* sys.epollCreate();
      let refused = 0;
      for (let i = 0; i < 1000; i++) {
        const next = yield* sys.epollCreate();
        if (next < 0) break;
        const r = yield* sys.epollCtl(next, EPOLL_CTL_ADD, prev, EPOLLIN);
        if (r === -ELOOP) refused++;
        else eq(r, 0);
        prev = next;
      }
      // every fifth link closes a chain of five: 1000 links, 200 refused
      eq(refused, 200, 'links refused');
      return 0;
    }, { checkInvariants: false, maxSteps: 1e6 });
  });

  it('a 28-level diamond (two epolls per level, each watching both below) is checked once per node', () => {
    const r = runOk(function* (sys) {
      let below = [yield* sys.epollCreate()];
      const results: number[] = [];
      for (let level = 0; level < 28; level++) {
        const row = [yield* sys.epollCreate(), yield* sys.epollCreate()];
        for (const e of row) for (const b of below) results.push(yield* sys.epollCtl(e, EPOLL_CTL_ADD, b, EPOLLIN));
        below = row;
      }
      sys.log('eloop', results.filter((x) => x === -ELOOP).length);
      sys.log('ok', results.filter((x) => x === 0).length);
      return 0;
    }, { checkInvariants: false, maxSteps: 1e6 });
    // native Linux 6.18 (the same calls in C): 90 adds succeed, 20 are ELOOP
    expect(r.kernel.notes.find((n) => n.key === 'ok')?.value).toBe(90);
    expect(r.kernel.notes.find((n) => n.key === 'eloop')?.value).toBe(20);
  });
});
