// Limits and permissions as Linux has them, checked from scripted processes:
// prlimit of another user's process, fchmod/fchown of a file someone else
// owns, kill of a missing process group, uid_t arguments, the wall clock that
// glibc's time() reads, the memory budget in scripted runs (fork ENOMEM,
// trace and console bounded).
import { describe, expect, it } from 'vitest';
import { EAGAIN, EINVAL, ENOMEM, EPERM, ESRCH } from '../../src/kernel/errno.ts';
import { RLIMIT_NOFILE } from '../../src/kernel/syscalls/misc.ts';
import { AF_UNIX, MSG_DONTWAIT, SOCK_STREAM } from '../../src/unix/constants.ts';
import { eq, run, runOk } from '../kernel/harness.ts';

const SETUID = 146, SETGID = 144, PRLIMIT64 = 261, FCHOWN = 55, KILL = 129, CLOCK_GETTIME = 113;
const CLOCK_REALTIME = 0, CLOCK_REALTIME_COARSE = 5;

describe('permissions', () => {
  it('uid 1000 cannot fchmod/fchown a root-owned socket or prlimit root, but may its own', () => {
    runOk(function* (sys) {
      const rootSock = yield* sys.socket(AF_UNIX, SOCK_STREAM);
      const child = yield* sys.fork(function* (sys) {
        eq(yield* sys.syscall(SETUID, 1000), 0, 'setuid');
        eq(yield* sys.fchmod(rootSock, 0o600), -EPERM, 'fchmod of root-owned socket');
        eq(yield* sys.syscall(FCHOWN, rootSock, 1000, -1), -EPERM, 'fchown to self');
        const mine = yield* sys.socket(AF_UNIX, SOCK_STREAM);
        eq(yield* sys.fchmod(mine, 0o600), 0, 'fchmod of own socket');
        eq(yield* sys.syscall(FCHOWN, mine, 0, -1), -EPERM, 'giving it away');
        eq(yield* sys.syscall(FCHOWN, mine, -1, -1), 0, 'no change');
        sys.scratch.reset();
        const lim = sys.scratch.alloc(16);
        eq(yield* sys.syscall(PRLIMIT64, 1, RLIMIT_NOFILE, 0, lim), -EPERM, 'prlimit of root (read)');
        eq(yield* sys.syscall(PRLIMIT64, 0, RLIMIT_NOFILE, 0, lim), 0, 'prlimit of self');
        return 0;
      });
      yield* sys.wait(child);
      eq(yield* sys.syscall(FCHOWN, rootSock, 1000, 1000), 0, 'root may chown');
      return 0;
    });
  });

  it('setuid/setgid take uid_t: -1 is EINVAL, -100 is uid 4294967196 (as native Linux gives)', () => {
    runOk(function* (sys) {
      eq(yield* sys.syscall(SETGID, -1), -EINVAL, 'setgid(-1)');
      eq(yield* sys.syscall(SETUID, -1), -EINVAL, 'setuid(-1)');
      eq(yield* sys.syscall(SETGID, -100), 0, 'setgid(-100)');
      eq(yield* sys.syscall(177), 4294967196, 'getegid');
      return 0;
    });
  });

  it('kill of a process group that does not exist is ESRCH and signals no one', () => {
    runOk(function* (sys) {
      eq(yield* sys.syscall(KILL, -4242, 15), -ESRCH, 'kill(-4242)');
      eq(yield* sys.syscall(KILL, 4242, 0), -ESRCH, 'kill(4242)');
      return 0;
    });
  });

  it("time(): CLOCK_REALTIME_COARSE reads the wall clock, like CLOCK_REALTIME", () => {
    runOk(function* (sys) {
      sys.scratch.reset();
      const a = sys.scratch.alloc(16), b = sys.scratch.alloc(16);
      eq(yield* sys.syscall(CLOCK_GETTIME, CLOCK_REALTIME, a), 0);
      eq(yield* sys.syscall(CLOCK_GETTIME, CLOCK_REALTIME_COARSE, b), 0);
      const sec = (p: number): number => new DataView(sys.scratch.read(p, 8).buffer).getUint32(0, true);
      if (sec(b) < 1_700_000_000 || Math.abs(sec(a) - sec(b)) > 1) throw new Error(`coarse ${sec(b)} vs ${sec(a)}`);
      return 0;
    });
  });
});

describe('the memory budget in scripted runs', () => {
  it('fork fails with ENOMEM (not a host error) once tasks fill the budget, and the run ends cleanly', () => {
    runOk(function* (sys) {
      const kids: number[] = [];
      let r = 0;
      for (let i = 0; i < 200; i++) {
        r = yield* sys.fork(function* (sys) {
          yield* sys.syscall(101, 0, 0); // nanosleep(NULL): EFAULT, returns at once
          return 0;
        });
        if (r < 0) break;
        kids.push(r);
      }
      if (r !== -ENOMEM && r !== -EAGAIN) throw new Error(`fork ended with ${r}`);
      for (const k of kids) yield* sys.wait(k);
      sys.log('forked', kids.length);
      return 0;
    }, { memory: 1024 * 1024 });
  });

  it('socket queues stop at the budget: sends get EAGAIN before any send buffer is full', () => {
    const budget = 2 * 1024 * 1024;
    const r = runOk(function* (sys) {
      const chunk = new Uint8Array(16384);
      let queued = 0;
      let full = 0;
      for (let p = 0; p < 20; p++) {
        const [a] = (yield* sys.socketpair(AF_UNIX, SOCK_STREAM)).fds;
        for (;;) {
          const n = yield* sys.send(a, chunk, MSG_DONTWAIT);
          if (n < 0) {
            eq(n, -EAGAIN, 'send');
            break;
          }
          queued += n;
        }
        if (queued >= budget) full++;
      }
      sys.log('queued', queued);
      sys.log('pairs past the budget', full);
      return 0;
    }, { memory: budget, maxSteps: 1e5 });
    // 20 pairs with a 212,992-byte send buffer each would hold ~4 MiB; the budget holds ~2 MiB
    const queued = r.kernel.notes.find((n) => n.key === 'queued')!.value as number;
    expect(queued).toBeLessThan(budget);
    expect(queued).toBeGreaterThan(budget / 2);
  });

  it('a recorded trace stops growing at the budget instead of exhausting the host', () => {
    const r = run(function* (sys) {
      for (let i = 0; i < 20000; i++) yield* sys.getpid();
      return 0;
    }, { memory: 512 * 1024, recordText: true, maxSteps: 1e6, checkInvariants: false });
    expect(r.failures).toEqual([]);
    expect(r.events.length).toBeLessThan(20000);
    expect(r.kernel.sched.trace.dropped).toBeGreaterThan(0);
  });
});
