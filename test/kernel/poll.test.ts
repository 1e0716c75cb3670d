import { describe, expect, it } from 'vitest';
import { O_CREAT, O_RDWR } from '../../src/kernel/abi.ts';
import { EFAULT, EINTR, EINVAL } from '../../src/kernel/errno.ts';
import { POLLERR, POLLHUP, POLLIN, POLLNVAL, POLLOUT, POLLRDNORM, POLLWRNORM } from '../../src/kernel/syscalls/poll.ts';
import { runScenario } from '../../src/script/runner.ts';
import { AF_UNIX, SOCK_STREAM } from '../../src/unix/constants.ts';
import recheck from '../../scenarios/race-poll-wakeup-recheck.ts';
import { eq, runOk } from './harness.ts';

describe('ppoll', () => {
  it('a zero timeout never sleeps: 0 while a pipe is empty, POLLIN once it holds data', () => {
    runOk(function* (sys) {
      const p = yield* sys.pipe();
      let r = yield* sys.poll([{ fd: p.fds[0], events: POLLIN }, { fd: p.fds[1], events: POLLOUT }], 0);
      eq(r.ret, 1, 'only the write end is ready');
      eq(r.revents[0], 0);
      eq(r.revents[1], POLLOUT);
      yield* sys.write(p.fds[1], 'x');
      r = yield* sys.poll([{ fd: p.fds[0], events: POLLIN | POLLRDNORM }], 0);
      eq(r.ret, 1);
      eq(r.revents[0], POLLIN | POLLRDNORM);
      yield* sys.close(p.fds[0]);
      yield* sys.close(p.fds[1]);
    });
  });

  it('ignores negative fds, reports POLLNVAL for closed ones, and counts fds, not bits', () => {
    runOk(function* (sys) {
      const r = yield* sys.poll([{ fd: -1, events: POLLIN }, { fd: 42, events: POLLIN }, { fd: 1, events: POLLOUT }], 0);
      eq(r.ret, 2);
      eq(r.revents[0], 0, 'negative fd');
      eq(r.revents[1], POLLNVAL, 'closed fd');
      eq(r.revents[2], POLLOUT, 'console');
    });
  });

  it('a regular file (no poll method) is always ready for reading and writing', () => {
    runOk(function* (sys) {
      const fd = yield* sys.open('/f', O_CREAT | O_RDWR);
      const r = yield* sys.poll([{ fd, events: POLLIN | POLLOUT | POLLRDNORM | POLLWRNORM }]);
      eq(r.ret, 1);
      eq(r.revents[0], POLLIN | POLLOUT | POLLRDNORM | POLLWRNORM);
      yield* sys.close(fd);
    });
  });

  it('reports POLLHUP and POLLERR even when not asked for', () => {
    runOk(function* (sys) {
      const p = yield* sys.pipe();
      yield* sys.close(p.fds[1]);
      let r = yield* sys.poll([{ fd: p.fds[0], events: 0 }]);
      eq(r.ret, 1);
      eq(r.revents[0], POLLHUP);
      const q = yield* sys.pipe();
      yield* sys.close(q.fds[0]);
      r = yield* sys.poll([{ fd: q.fds[1], events: 0 }]);
      eq(r.revents[0], POLLERR);
      yield* sys.close(p.fds[0]);
      yield* sys.close(q.fds[1]);
    });
  });

  it('sleeps until another process makes an fd ready', () => {
    const r = runOk(function* (sys) {
      const sp = yield* sys.socketpair(AF_UNIX, SOCK_STREAM);
      const c = yield* sys.fork(function* (sys) {
        yield* sys.nanosleep(5_000_000);
        yield* sys.write(sp.fds[1], 'hello');
        return 0;
      });
      const t0 = yield* sys.now();
      const p = yield* sys.poll([{ fd: sp.fds[0], events: POLLIN }]);
      const t1 = yield* sys.now();
      eq(p.ret, 1);
      eq(p.revents[0] & POLLIN, POLLIN);
      if (t1 - t0 < 5_000_000) throw new Error(`returned after ${t1 - t0} ns, before the write`);
      yield* sys.wait(c);
      yield* sys.close(sp.fds[0]);
      yield* sys.close(sp.fds[1]);
    });
    expect(r.failures).toEqual([]);
  });

  it('times out in virtual time with 0', () => {
    runOk(function* (sys) {
      const p = yield* sys.pipe();
      const t0 = yield* sys.now();
      const r = yield* sys.poll([{ fd: p.fds[0], events: POLLIN }], 50);
      const t1 = yield* sys.now();
      eq(r.ret, 0);
      eq(r.revents[0], 0);
      if (t1 - t0 < 50_000_000 || t1 - t0 > 51_000_000) throw new Error(`timed out after ${t1 - t0} ns`);
      yield* sys.close(p.fds[0]);
      yield* sys.close(p.fds[1]);
    });
  });

  it('with no fds and a timeout it is a sleep', () => {
    runOk(function* (sys) {
      const t0 = yield* sys.now();
      eq((yield* sys.poll([], 10)).ret, 0);
      const t1 = yield* sys.now();
      if (t1 - t0 < 10_000_000) throw new Error(`slept ${t1 - t0} ns`);
    });
  });

  it('rejects nfds above RLIMIT_NOFILE with EINVAL, a bad pollfd array with EFAULT, a bad timespec with EINVAL', () => {
    runOk(function* (sys) {
      eq(yield* sys.syscall(73, 0, 1025, 0, 0, 8), -EINVAL, 'nfds > RLIMIT_NOFILE');
      eq(yield* sys.syscall(73, 0x10, 1, 0, 0, 8), -EFAULT, 'unmapped pollfds');
      eq(yield* sys.syscall(73, 0, 0, 0x10, 0, 8), -EFAULT, 'unmapped timespec');
      // sigsetsize must be sizeof(sigset_t) when a mask is given
      eq(yield* sys.syscall(73, 0, 0, 0, 0x100000, 4), -EINVAL, 'sigsetsize');
    });
  });

  it('a handled signal interrupts a sleeping poll with EINTR', () => {
    const r = runOk(function* (sys) {
      const p = yield* sys.pipe();
      const c = yield* sys.fork(function* (sys) {
        yield* sys.sigaction(10, () => {});
        const q = yield* sys.poll([{ fd: p.fds[0], events: POLLIN }]);
        sys.log('poll result', q.ret);
        return 0;
      });
      yield* sys.nanosleep(1000);
      yield* sys.kill(c, 10);
      yield* sys.wait(c);
      yield* sys.close(p.fds[0]);
      yield* sys.close(p.fds[1]);
    });
    expect(r.kernel.notes.map((n) => n.value)).toEqual([-EINTR]);
  });

  it('sees a listener become readable when a connection is pending', () => {
    runOk(function* (sys) {
      const l = yield* sys.socket(AF_UNIX, SOCK_STREAM);
      eq(yield* sys.bind(l, '/sock'), 0);
      eq(yield* sys.listen(l, 4), 0);
      eq((yield* sys.poll([{ fd: l, events: POLLIN }], 0)).ret, 0);
      const c = yield* sys.fork(function* (sys) {
        const s = yield* sys.socket(AF_UNIX, SOCK_STREAM);
        eq(yield* sys.connect(s, '/sock'), 0);
        yield* sys.close(s);
        return 0;
      });
      const r = yield* sys.poll([{ fd: l, events: POLLIN }]);
      eq(r.revents[0] & POLLIN, POLLIN);
      const a = yield* sys.accept(l);
      yield* sys.close(a.ret);
      yield* sys.close(l);
      yield* sys.wait(c);
    });
  });
});

describe('planted bug poll-no-recheck', () => {
  it('the correct kernel passes race-poll-wakeup-recheck; the bug fails it under some seed', () => {
    const ok: string[] = [];
    let failed: string[] | null = null;
    for (let seed = 1; seed <= 200; seed++) {
      const r = runScenario(recheck, { seed, checkInvariants: true });
      ok.push(...r.failures);
      if (!failed) {
        const b = runScenario(recheck, { seed, checkInvariants: true, bugs: ['poll-no-recheck'] });
        if (b.failures.length) failed = b.failures;
      }
    }
    expect(ok).toEqual([]);
    expect(failed?.join('\n')).toMatch(/poll|status/);
  });
});
