// Timed and interrupted sleeps against Linux's rules (deadline, data, signal
// with and without SA_RESTART): the cases and the model are in gen/sleeps.ts.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SIGUSR1 } from '../src/kernel/abi.ts';
import { EINTR } from '../src/kernel/errno.ts';
import { SA_RESTART } from '../src/kernel/signal.ts';
import { runScenario } from '../src/script/runner.ts';
import { defineScenario } from '../src/script/scenario.ts';
import { sleepProperty } from './gen/sleeps.ts';
import { itFindsPlanted, propertyRuns } from './lib/profile.ts';

describe('timed and interrupted sleeps', () => {
  it('end when, and with what, Linux says: deadline, data, or signal (restarted only without a timeout, after SA_RESTART)', () => {
    fc.assert(sleepProperty([]), { numRuns: propertyRuns(80), seed: 20_261_204 });
  });

  itFindsPlanted('finds the planted bug sleep-ignores-pending-signal', () => {
    const details = fc.check(sleepProperty(['sleep-ignores-pending-signal']), { numRuns: 80, seed: 20_261_204, endOnFailure: true });
    expect(details.failed, 'sleep-ignores-pending-signal not found in 80 runs').toBe(true);
    expect(String((details.errorInstance as Error | undefined)?.message)).toMatch(/returned -4 after \d+ ns; model -4 after 0 ns/);
  });

  // The runs check wake duties, which include finish_wait: a sleep that ended leaves no waker behind.
  itFindsPlanted('finds the planted bug sleep-keeps-waker (a waker left on the queue after a timed-out sleep)', () => {
    const details = fc.check(sleepProperty(['sleep-keeps-waker']), { numRuns: 80, seed: 20_261_204, endOnFailure: true });
    expect(details.failed, 'sleep-keeps-waker not found in 80 runs').toBe(true);
    expect(String((details.errorInstance as Error | undefined)?.message)).toMatch(/sleep not finished: .* runs on with its waker still on/);
  });
});

// --eintr (the fault injector) ends an interruptible sleep as it begins, as a
// signal whose handler lacks SA_RESTART would (prepare_to_wait's
// signal_pending, then -ERESTARTSYS turned into EINTR): a pipe reader must
// see EINTR for some of its sleeps, and only EINTR or the bytes written, in
// order, then EOF.
describe('pipe reads under the fault injectors', () => {
  it('a blocking pipe read returns EINTR when its sleep is interrupted, and loses nothing', () => {
    let eintrs = 0;
    for (let seed = 1; seed <= 6; seed++) {
      let got = '';
      let odd: number | null = null;
      const sc = defineScenario({
        name: 'eintr-pipe-read',
        processes: [{
          name: 'reader',
          *program(sys) {
            const [r, w] = (yield* sys.pipe()).fds;
            const child = yield* sys.fork(function* (sys) {
              yield* sys.close(r);
              for (const c of 'abc') {
                yield* sys.nanosleep(1_000_000); // an early EINTR only shortens it
                yield* sys.write(w, c);
              }
              return 0;
            });
            yield* sys.close(w);
            for (;;) {
              const x = yield* sys.read(r, 8);
              if (x.ret === -EINTR) {
                eintrs++;
                continue;
              }
              if (x.ret < 0 || x.ret !== x.data.length) odd = x.ret;
              if (x.ret <= 0) break;
              got += new TextDecoder().decode(x.data);
            }
            while ((yield* sys.wait(child)).ret === -EINTR);
            return 0;
          },
        }],
      });
      const res = runScenario(sc, { seed, eintr: true });
      expect(res.failures, `seed ${seed}`).toEqual([]);
      expect(odd, `seed ${seed}: read returned ${odd}`).toBe(null);
      expect(got, `seed ${seed}`).toBe('abc');
    }
    expect(eintrs, 'no sleep was interrupted in 6 runs under --eintr').toBeGreaterThan(0);
  });

  // --short-io: a pipe read may return fewer bytes than are queued (as pipe_read may stop at a buffer's
  // end); never none while some are, never more than asked, and the stream stays whole and in order.
  it('under --short-io, pipe reads return part of what is queued, in order, and lose nothing', () => {
    let short = 0;
    for (let seed = 1; seed <= 6; seed++) {
      let got = '';
      let odd: string | null = null;
      const sc = defineScenario({
        name: 'short-pipe-read',
        processes: [{
          name: 'reader',
          *program(sys) {
            const [r, w] = (yield* sys.pipe()).fds;
            yield* sys.write(w, 'abcdefghij');
            yield* sys.close(w);
            for (;;) {
              const before = (yield* sys.ioctlInt(r, 0x541b /* FIONREAD */)).data[0];
              const x = yield* sys.read(r, 6);
              if (x.ret <= 0) {
                if (x.ret < 0 || before !== 0) odd = `read returned ${x.ret} with ${before} queued`;
                break;
              }
              if (x.ret > 6 || x.ret > before || x.ret !== x.data.length) odd = `read ${x.ret} of 6 asked, ${before} queued`;
              if (x.ret < Math.min(6, before)) short++;
              got += new TextDecoder().decode(x.data);
            }
            return 0;
          },
        }],
      });
      const res = runScenario(sc, { seed, shortIo: true });
      expect(res.failures, `seed ${seed}`).toEqual([]);
      expect(odd, `seed ${seed}`).toBe(null);
      expect(got, `seed ${seed}`).toBe('abcdefghij');
    }
    expect(short, 'no read was short in 6 runs under --short-io').toBeGreaterThan(0);
  });
});

// A writer asleep for room in a pipe, signalled at 10 ms (a reader frees 4096 bytes at 20 ms), as Linux 6.18
// gives natively: with nothing written, EINTR without SA_RESTART and the write restarted with it (it then
// completes at 20 ms); with bytes written (70000 asked of an empty pipe), their count, SA_RESTART or not.
describe('a pipe writer asleep on a full pipe, signalled', () => {
  const MS = 1_000_000;
  it.each([
    { full: true, restart: false, n: 1, ret: -EINTR, at: 10 },
    { full: true, restart: true, n: 1, ret: 1, at: 20 },
    { full: false, restart: false, n: 70_000, ret: 65_536, at: 10 },
    { full: false, restart: true, n: 70_000, ret: 65_536, at: 10 },
  ])('pipe full before: $full, SA_RESTART: $restart, $n bytes: returns $ret at $at ms', ({ full, restart, n, ret, at }) => {
    let got: { ret: number; took: number } | null = null;
    const sc = defineScenario({
      name: 'pipe-writer-signalled',
      processes: [{
        name: 'writer',
        *program(sys) {
          yield* sys.sigaction(SIGUSR1, () => {}, restart ? SA_RESTART : 0);
          const [r, w] = (yield* sys.pipe()).fds;
          if (full) yield* sys.write(w, new Uint8Array(65_536));
          const parent = sys.pid;
          const child = yield* sys.fork(function* (sys) {
            yield* sys.nanosleep(10 * MS);
            yield* sys.kill(parent, SIGUSR1);
            yield* sys.nanosleep(10 * MS);
            yield* sys.read(r, 4096);
            return 0;
          });
          const t0 = yield* sys.now();
          const x = yield* sys.write(w, new Uint8Array(n));
          got = { ret: x, took: (yield* sys.now()) - t0 };
          while ((yield* sys.wait(child)).ret === -EINTR);
          return 0;
        },
      }],
    });
    const res = runScenario(sc, { seed: 1, checkWakeDuties: true });
    expect(res.failures).toEqual([]);
    expect(got!.ret).toBe(ret);
    expect(Math.abs(got!.took - at * MS)).toBeLessThan(50_000);
  });
});

// --spurious-wakeups wakes sleepers whose condition is false (a wake is only a hint): epoll_wait and poll
// must sleep on to their timeout, or to the byte written at 30 ms when they have none (epoll_wait(2), poll(2)).
describe('epoll_wait and poll under spurious wakeups', () => {
  const MS = 1_000_000;
  it.each([
    { call: 'epoll_wait', timeout: 20, ret: 0, at: 20 },
    { call: 'epoll_wait', timeout: -1, ret: 1, at: 30 },
    { call: 'poll', timeout: 20, ret: 0, at: 20 },
    { call: 'poll', timeout: -1, ret: 1, at: 30 },
  ])('$call with timeout $timeout returns $ret at $at ms', ({ call, timeout, ret, at }) => {
    for (let seed = 1; seed <= 3; seed++) {
      let got: { ret: number; took: number } | null = null;
      const sc = defineScenario({
        name: 'spurious-wait',
        processes: [{
          name: 'waiter',
          *program(sys) {
            const [r, w] = (yield* sys.pipe()).fds;
            const ep = yield* sys.epollCreate(0);
            yield* sys.epollCtl(ep, 1 /* EPOLL_CTL_ADD */, r, 0x1 /* EPOLLIN */);
            const child = yield* sys.fork(function* (sys) {
              for (let i = 0; i < 100; i++) yield* sys.schedYield(); // choice points, where the spurious wakes come
              yield* sys.nanosleep(30 * MS - (yield* sys.now()));
              yield* sys.write(w, 'x');
              return 0;
            });
            const t0 = yield* sys.now();
            const x = call === 'poll' ? (yield* sys.poll([{ fd: r, events: 0x1 }], timeout)).ret : (yield* sys.epollWait(ep, 4, timeout)).ret;
            got = { ret: x, took: (yield* sys.now()) - t0 };
            while ((yield* sys.wait(child)).ret === -EINTR);
            return 0;
          },
        }],
      });
      const res = runScenario(sc, { seed, spuriousWakeups: true });
      expect(res.failures, `seed ${seed}`).toEqual([]);
      expect(got!.ret, `seed ${seed}`).toBe(ret);
      expect(Math.abs(got!.took - at * MS), `seed ${seed}: took ${got!.took}`).toBeLessThan(50_000);
    }
  });
});
