import { describe, expect, it } from 'vitest';
import { O_NONBLOCK, SIGPIPE, WNOHANG } from '../../src/kernel/abi.ts';
import { EAGAIN, ECHILD, EINTR, EINVAL, EPIPE } from '../../src/kernel/errno.ts';
import { PIPE_BUF, PIPE_CAPACITY } from '../../src/kernel/pipe.ts';
import { text } from '../../src/script/sys.ts';
import type { Program } from '../../src/script/context.ts';
import { eq, run, runOk } from './harness.ts';

describe('pipes', () => {
  it('a reader sees the bytes, then EOF once every write end is closed', () => {
    runOk(function* (sys) {
      const p = yield* sys.pipe();
      const child = yield* sys.fork(function* (sys) {
        yield* sys.close(p.fds[0]);
        yield* sys.write(p.fds[1], 'abc');
        yield* sys.close(p.fds[1]);
        return 0;
      });
      yield* sys.close(p.fds[1]);
      const m = yield* sys.readAll(p.fds[0], 100);
      eq(text(m.data), 'abc');
      eq((yield* sys.read(p.fds[0], 10)).ret, 0, 'EOF');
      yield* sys.close(p.fds[0]);
      yield* sys.wait(child);
    });
  });

  it('writing with no reader raises SIGPIPE, which kills by default', () => {
    const r = run(function* (sys) {
      const p = yield* sys.pipe();
      yield* sys.close(p.fds[0]);
      yield* sys.write(p.fds[1], 'x');
      sys.log('survived', true);
      return 0;
    });
    expect(r.kernel.exits[0].describe).toBe('killed by SIGPIPE');
    expect(r.kernel.exits[0].status).toBe(SIGPIPE);
    expect(r.kernel.notes).toEqual([]);
  });

  it('with SIGPIPE ignored the write returns EPIPE', () => {
    runOk(function* (sys) {
      eq(yield* sys.sigaction(SIGPIPE, 'ignore'), 0);
      const p = yield* sys.pipe();
      yield* sys.close(p.fds[0]);
      eq(yield* sys.write(p.fds[1], 'x'), -EPIPE);
      yield* sys.close(p.fds[1]);
    });
  });

  it('a parent sees the child killed by SIGPIPE in its wait status', () => {
    runOk(function* (sys) {
      const p = yield* sys.pipe();
      yield* sys.close(p.fds[0]);
      const child = yield* sys.fork(function* (sys) {
        yield* sys.write(p.fds[1], 'x');
        return 0;
      });
      const w = yield* sys.wait(child);
      eq(w.ret, child);
      eq(w.status, SIGPIPE, 'WTERMSIG');
      yield* sys.close(p.fds[1]);
    }, {}, { requireCleanExit: false });
  });

  it('nonblocking ends return EAGAIN instead of sleeping', () => {
    runOk(function* (sys) {
      const p = yield* sys.pipe(O_NONBLOCK);
      eq((yield* sys.read(p.fds[0], 10)).ret, -EAGAIN);
      const big = new Uint8Array(PIPE_CAPACITY);
      eq(yield* sys.write(p.fds[1], big), PIPE_CAPACITY);
      eq(yield* sys.write(p.fds[1], 'x'), -EAGAIN);
      yield* sys.close(p.fds[0]);
      yield* sys.close(p.fds[1]);
    });
  });

  it('writes of at most PIPE_BUF bytes are atomic; larger ones may be partial', () => {
    runOk(function* (sys) {
      const p = yield* sys.pipe(O_NONBLOCK);
      eq(yield* sys.write(p.fds[1], new Uint8Array(PIPE_CAPACITY - 100)), PIPE_CAPACITY - 100);
      eq(yield* sys.write(p.fds[1], new Uint8Array(PIPE_BUF)), -EAGAIN, 'no partial write of PIPE_BUF bytes');
      eq(yield* sys.write(p.fds[1], new Uint8Array(PIPE_BUF + 1)), 100, 'a bigger write fills what fits');
      yield* sys.close(p.fds[0]);
      yield* sys.close(p.fds[1]);
    });
  });

  it('concurrent PIPE_BUF writes never interleave (any schedule)', () => {
    for (let seed = 1; seed <= 20; seed++) {
      runOk(function* (sys) {
        const p = yield* sys.pipe();
        const kids: number[] = [];
        for (const c of [0x41, 0x42, 0x43]) {
          kids.push(
            yield* sys.fork(function* (sys) {
              yield* sys.close(p.fds[0]);
              for (let i = 0; i < 6; i++) yield* sys.write(p.fds[1], new Uint8Array(PIPE_BUF).fill(c));
              return 0;
            }),
          );
        }
        yield* sys.close(p.fds[1]);
        const all = yield* sys.readAll(p.fds[0], 18 * PIPE_BUF);
        eq(all.data.length, 18 * PIPE_BUF, 'total');
        for (let b = 0; b < 18; b++) {
          const block = all.data.subarray(b * PIPE_BUF, (b + 1) * PIPE_BUF);
          if (!block.every((x) => x === block[0])) throw new Error(`block ${b} is interleaved (seed ${seed})`);
        }
        yield* sys.close(p.fds[0]);
        for (const k of kids) yield* sys.wait(k);
      }, { seed });
    }
  });

  it('pipe2 rejects unknown flags; reading a write end is EINVAL', () => {
    runOk(function* (sys) {
      eq((yield* sys.pipe(0x1)).ret, -EINVAL);
      const p = yield* sys.pipe();
      eq(yield* sys.syscall(63, p.fds[1], 0x100000, 1), -9, 'EBADF: write end not readable');
      yield* sys.close(p.fds[0]);
      yield* sys.close(p.fds[1]);
    });
  });
});

describe('wait4', () => {
  it('blocks until a child exits, reports its status, then ECHILD', () => {
    runOk(function* (sys) {
      const c = yield* sys.fork(function* (sys) {
        yield* sys.nanosleep(1000);
        return 7;
      });
      const w = yield* sys.wait(-1);
      eq(w.ret, c);
      eq(w.status, 7 << 8, 'WEXITSTATUS 7');
      eq((yield* sys.wait(-1)).ret, -ECHILD);
    }, {}, { requireCleanExit: false });
  });

  it('WNOHANG returns 0 while the child runs', () => {
    runOk(function* (sys) {
      const p = yield* sys.pipe();
      const c = yield* sys.fork(function* (sys) {
        yield* sys.read(p.fds[0], 1);
        return 0;
      });
      eq((yield* sys.wait(c, WNOHANG)).ret, 0);
      yield* sys.write(p.fds[1], 'go');
      eq((yield* sys.wait(c)).ret, c);
      eq((yield* sys.wait(12345)).ret, -ECHILD, 'not a child');
      yield* sys.close(p.fds[0]);
      yield* sys.close(p.fds[1]);
    });
  });

  it('rejects unknown options', () => {
    runOk(function* (sys) {
      eq((yield* sys.wait(-1, 0x4000)).ret, -EINVAL);
    });
  });
});

describe('rt_sigtimedwait at the end of time', () => {
  // Regression: once a far-future nanosleep had saturated the clock at KTIME_MAX, a
  // sigtimedwait whose timeout lay beyond it looped in the kernel without yielding.
  const timespec = (sys: Parameters<Program>[0], sec: bigint) => {
    const b = new Uint8Array(16);
    new DataView(b.buffer).setBigInt64(0, sec, true);
    return sys.scratch.put(b);
  };
  it('a timeout past KTIME_MAX ends with EAGAIN', () => {
    runOk(function* (sys) {
      sys.scratch.reset();
      const far = timespec(sys, 2n ** 62n);
      eq(yield* sys.syscall(101, far, 0), 0, 'nanosleep to the far future');
      const set = sys.scratch.put(new Uint8Array([0, 2, 0, 0, 0, 0, 0, 0])); // SIGUSR1
      eq(yield* sys.syscall(137, set, 0, far, 8), -EAGAIN, 'sigtimedwait');
    }, { maxTime: Infinity });
  });
  it('with no timeout and no sender it sleeps: the run reports a deadlock', () => {
    const r = run(function* (sys) {
      sys.scratch.reset();
      eq(yield* sys.syscall(101, timespec(sys, 2n ** 62n), 0), 0);
      yield* sys.syscall(137, sys.scratch.put(new Uint8Array([0, 2, 0, 0, 0, 0, 0, 0])), 0, 0, 8);
    }, { maxTime: Infinity });
    expect(r.end.kind).toBe('deadlock');
  });
});

describe('nanosleep', () => {
  it('advances virtual time by at least the requested amount', () => {
    runOk(function* (sys) {
      const t0 = yield* sys.now();
      eq(yield* sys.nanosleep(2_500_000), 0);
      const t1 = yield* sys.now();
      if (t1 - t0 < 2_500_000) throw new Error(`slept only ${t1 - t0} ns`);
      if (t1 - t0 > 2_600_000) throw new Error(`slept ${t1 - t0} ns`);
    });
  });

  it('a writer asleep on a full pipe, interrupted by a handled signal, returns what it wrote, or EINTR when it wrote nothing (pipe_write)', () => {
    // The writer of 100 bytes finds no room at all and sleeps; the writer of PIPE_CAPACITY + 100 bytes fills the
    // pipe and sleeps for the rest. Neither handler has SA_RESTART.
    for (const [prefill, size, want] of [[PIPE_CAPACITY, 100, -EINTR], [0, PIPE_CAPACITY + 100, PIPE_CAPACITY]] as const) {
      const r = runOk(function* (sys) {
        const p = yield* sys.pipe();
        if (prefill) eq(yield* sys.write(p.fds[1], new Uint8Array(prefill)), prefill, 'prefill');
        const c = yield* sys.fork(function* (sys) {
          yield* sys.sigaction(10, () => {});
          sys.log('write', yield* sys.write(p.fds[1], new Uint8Array(size)));
          return 0;
        });
        yield* sys.nanosleep(1_000_000);
        yield* sys.kill(c, 10);
        yield* sys.wait(c);
      });
      expect(r.kernel.notes.map((n) => [n.key, n.value]), `a write of ${size} into ${prefill} queued bytes`).toEqual([['write', want]]);
    }
  });

  it('a sleeping process is interrupted by a handled signal with EINTR', () => {
    const r = runOk(function* (sys) {
      const c = yield* sys.fork(function* (sys) {
        let got = 0;
        yield* sys.sigaction(10, () => {
          got++;
        });
        const r = yield* sys.nanosleep(1_000_000_000);
        sys.log('sleep result', r);
        sys.log('handled', got);
        return 0;
      });
      yield* sys.nanosleep(1000);
      yield* sys.kill(c, 10);
      yield* sys.wait(c);
    });
    expect(r.kernel.notes.map((n) => [n.key, n.value])).toEqual([
      ['sleep result', -4],
      ['handled', 1],
    ]);
  });
});
