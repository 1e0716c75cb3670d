// Blocking epoll_wait against epoll(7), as Linux 6.18 behaves natively: one
// or two threads wait on one epoll instance watching a pipe's read end
// (level-triggered or EPOLLET), with a timeout of 0, T ms or none, while the
// main thread, after e ms, writes a byte, sends the process a SIGUSR1 (one
// waiter only; handler with or without SA_RESTART), or does nothing; a
// rescue byte at 100 ms ends every wait without a timeout.
//   - a zero timeout returns 0 at once;
//   - a write wakes a waiter (ep_poll_callback's wake-one); a level-triggered
//     entry stays ready after it is reported, so the wake is passed on
//     (ep_done_scan) and every waiter returns it; an edge-triggered one is
//     reported to one waiter only, the other sleeps on to its timeout, or to
//     the rescue byte's edge;
//   - a signal ends the wait with EINTR, SA_RESTART or not (epoll_wait is
//     never restarted, signal(7));
//   - otherwise the wait ends at its timeout with 0.
import fc from 'fast-check';
import { SIGUSR1 } from '../../src/kernel/abi.ts';
import { EINTR } from '../../src/kernel/errno.ts';
import type { PlantedBug } from '../../src/kernel/bugs.ts';
import { SA_RESTART } from '../../src/kernel/signal.ts';
import { runScenario } from '../../src/script/runner.ts';
import { defineScenario } from '../../src/script/scenario.ts';

const MS = 1_000_000;
const SLACK = 50_000;
const EPOLLIN = 0x1, EPOLLET = 2 ** 31, EPOLL_CTL_ADD = 1;
const RESCUE = 100;

export interface WaitCase {
  et: boolean;
  waiters: 1 | 2;
  /** ms; -1: none */
  timeout: number;
  event: 'write' | 'signal' | 'none';
  e: number;
  restart: boolean;
  seed: number;
}

const caseArb: fc.Arbitrary<WaitCase> = fc
  .record({
    et: fc.boolean(),
    waiters: fc.constantFrom(1 as const, 2 as const),
    timeout: fc.oneof(fc.constantFrom(-1, 0), fc.integer({ min: 2, max: 12 }).map((j) => 4 * j)),
    event: fc.constantFrom('write' as const, 'signal' as const, 'none' as const),
    e: fc.integer({ min: 2, max: 12 }).map((j) => 4 * j),
    restart: fc.boolean(),
    seed: fc.nat(),
  })
  .map((c): WaitCase => (c.event === 'signal' ? { ...c, waiters: 1 } : c))
  // an edge-triggered entry with two waiters and no timeout would leave one asleep for ever
  .map((c): WaitCase => (c.et && c.waiters === 2 && c.timeout < 0 ? { ...c, timeout: 60 } : c))
  .filter((c) => c.timeout <= 0 || Math.abs(c.timeout - c.e) >= 8);

interface Ended { ret: number; at: number }

/** What each waiter returns and when (ms), sorted by time then result. */
function model(c: WaitCase): Ended[] {
  if (c.timeout === 0) return Array.from({ length: c.waiters }, () => ({ ret: 0, at: 0 }));
  const limit = c.timeout < 0 ? Infinity : c.timeout;
  const out: Ended[] = [];
  let left = c.waiters;
  const eventFirst = c.e < limit;
  if (c.event === 'signal' && eventFirst) return [{ ret: -EINTR, at: c.e }];
  if (c.event === 'write' && eventFirst) {
    const n = c.et ? 1 : left;
    for (let i = 0; i < n; i++) out.push({ ret: 1, at: c.e });
    left -= n;
    if (!c.et) return out;
  }
  // the rest: the timeout, or the rescue byte (an edge for one waiter; a level for all)
  if (left > 0 && limit < RESCUE) for (let i = 0; i < left; i++) out.push({ ret: 0, at: limit });
  else if (left > 0) {
    const n = c.et ? 1 : left;
    for (let i = 0; i < n; i++) out.push({ ret: 1, at: RESCUE });
    for (let i = n; i < left; i++) out.push({ ret: 0, at: limit });
  }
  return out;
}

export function epollWaitProperty(bugs: readonly PlantedBug[] = []) {
  return fc.property(caseArb, (c) => {
    const ended: Ended[] = [];
    const sc = defineScenario({
      name: 'epoll-wait',
      processes: [{
        name: 'main',
        *program(sys) {
          const [r, w] = (yield* sys.pipe()).fds;
          const ep = yield* sys.epollCreate();
          yield* sys.epollCtl(ep, EPOLL_CTL_ADD, r, EPOLLIN | (c.et ? EPOLLET : 0));
          yield* sys.sigaction(SIGUSR1, () => {}, c.restart ? SA_RESTART : 0);
          const tids: number[] = [];
          for (let i = 0; i < c.waiters; i++) {
            tids.push(yield* sys.thread(function* (sys) {
              const t0 = yield* sys.now();
              const got = yield* sys.epollWait(ep, 2, c.timeout);
              ended.push({ ret: got.ret, at: ((yield* sys.now()) - t0) / MS });
              return 0;
            }));
          }
          // SIGUSR1 blocked here, so that it goes to the waiter (complete_signal picks a thread that does not block it)
          sys.scratch.reset();
          const set = new Uint8Array(8);
          set[(SIGUSR1 - 1) >> 3] = 1 << ((SIGUSR1 - 1) & 7);
          yield* sys.syscall(135, 0 /* SIG_BLOCK */, sys.scratch.put(set), 0, 8);
          const t0 = yield* sys.now();
          yield* sys.nanosleep(c.e * MS);
          if (c.event === 'write') yield* sys.write(w, 'x');
          if (c.event === 'signal') yield* sys.kill(sys.pid, SIGUSR1);
          yield* sys.nanosleep(t0 + RESCUE * MS - (yield* sys.now()));
          yield* sys.write(w, 'r');
          for (const tid of tids) yield* sys.join(tid);
          return 0;
        },
      }],
    });
    const res = runScenario(sc, { seed: c.seed, bugs: [...bugs] });
    if (res.failures.length) throw new Error(res.failures.join('\n'));
    const want = model(c);
    const order = (a: Ended, b: Ended) => a.at - b.at || a.ret - b.ret;
    ended.sort(order);
    const ok = ended.length === want.length && ended.every((x, i) => x.ret === want[i].ret && Math.abs(x.at - want[i].at) * MS <= SLACK);
    if (!ok) throw new Error(`waiters ended ${JSON.stringify(ended)}, model ${JSON.stringify(want)}`);
  });
}
