// Scripted threads (sys.thread / sys.join), processes sharing an fd table
// (sys.clone with CLONE_FILES), and how a scripted thread group ends: a
// thread's return is its own exit, a fatal signal or exit_group ends every
// thread, as with guest threads (test/guest/threads.test.ts).
import { describe, expect, it } from 'vitest';
import { SIGUSR1 } from '../../src/kernel/abi.ts';
import { EBADF, EDEADLK, ESRCH } from '../../src/kernel/errno.ts';
import { CLONE_FILES, CLONE_FS } from '../../src/kernel/syscalls/proc.ts';
import type { Sys } from '../../src/script/sys.ts';
import { text } from '../../src/script/sys.ts';
import type { StrategyName } from '../../src/script/runner.ts';
import { runScenario } from '../../src/script/runner.ts';
import { eq, run, runOk } from '../kernel/harness.ts';

const SEEDS = 15;
function* seeds(): Generator<{ seed: number; strategy: StrategyName }> {
  for (let seed = 1; seed <= SEEDS; seed++) for (const strategy of ['random', 'pct'] as const) yield { seed, strategy };
}

/** A helper with no return-type annotation: its type is inferred from the wrappers. */
function* readWord(sys: Sys, fd: number) {
  const r = yield* sys.read(fd, 16);
  return r.ret > 0 ? text(r.data) : `error ${r.ret}`;
}

describe('sys.thread and sys.join', () => {
  it('a thread shares the fd table; join waits for it and gives its return value', () => {
    for (const o of seeds()) {
      const r = runOk(function* (sys) {
        const p = yield* sys.pipe();
        const tid = yield* sys.thread(function* (sys) {
          eq(yield* sys.getpid(), 1, 'getpid in the thread');
          sys.log('tid', yield* sys.gettid());
          const q = yield* sys.pipe(); // fds 5 and 6, in the shared table
          yield* sys.write(q.fds[1], 'from thread');
          yield* sys.write(p.fds[1], 'go');
          return 42;
        });
        sys.log('word', yield* readWord(sys, p.fds[0]));
        const j = yield* sys.join(tid);
        eq(j.ret, 0, 'join');
        sys.log('value', j.value);
        sys.log('read 5', yield* readWord(sys, 5));
        for (const fd of [p.fds[0], p.fds[1], 5, 6]) eq(yield* sys.close(fd), 0, `close ${fd}`);
      }, o);
      expect(r.view.log('word')).toBe('go');
      expect(r.view.log('tid')).toBe(2);
      expect(r.view.log('value')).toBe(42);
      expect(r.view.log('read 5')).toBe('from thread');
      expect(r.kernel.exits.map((e) => `${e.name} ${e.describe}`)).toEqual(['p exit 0']);
    }
  });

  it("join's errors: unknown tid, oneself, twice", () => {
    const r = runOk(function* (sys) {
      const tid = yield* sys.thread(function* () {});
      sys.log('unknown', (yield* sys.join(99)).ret);
      sys.log('self', (yield* sys.join(sys.tid)).ret);
      eq((yield* sys.join(tid)).ret, 0, 'first join');
      sys.log('again', (yield* sys.join(tid)).ret);
    });
    expect([r.view.log('unknown'), r.view.log('self'), r.view.log('again')]).toEqual([-ESRCH, -EDEADLK, -ESRCH]);
    // a joined thread is forgotten (pthread frees it): joining it again is ESRCH
  });

  it("a thread's return ends only that thread; the process lives on", () => {
    for (const o of seeds()) {
      const r = runOk(function* (sys) {
        const p = yield* sys.pipe();
        yield* sys.thread(function* (sys) {
          yield* sys.write(p.fds[1], 'x');
          return 7;
        });
        sys.log('read', (yield* sys.read(p.fds[0], 1)).ret);
        yield* sys.nanosleep(1000);
        sys.log('still here', true);
        return 0;
      }, o);
      expect(r.view.log('still here')).toBe(true);
      expect(r.kernel.exits.map((e) => e.describe)).toEqual(['exit 0']);
    }
  });

  it('a fatal signal to one thread ends every thread of the process', () => {
    for (const o of seeds()) {
      const r = run(function* (sys) {
        const p = yield* sys.pipe();
        yield* sys.thread(function* (sys) {
          yield* sys.syscall(131, sys.pid, sys.tid, SIGUSR1); // tgkill, default action: terminate
          sys.log('thread survived', true);
        });
        yield* sys.read(p.fds[0], 1); // nobody writes: only the group's end wakes this
        sys.log('main survived', true);
      }, o, { requireCleanExit: false });
      expect(r.failures).toEqual([]);
      expect(r.view.logs('thread survived')).toEqual([]);
      expect(r.view.logs('main survived')).toEqual([]);
      expect(r.kernel.exits.map((e) => e.describe)).toEqual(['killed by SIGUSR1']);
      expect(r.view.describeState()).toEqual([]);
    }
  });

  it('exit_group from a thread ends the process with its status while the first thread sleeps in join', () => {
    for (const o of seeds()) {
      const r = run(function* (sys) {
        const other = yield* sys.thread(function* (sys) {
          const p = yield* sys.pipe();
          yield* sys.read(p.fds[0], 1); // never written
        });
        yield* sys.thread(function* (sys) {
          yield* sys.exit(3);
        });
        yield* sys.join(other);
        sys.log('joined', true);
      }, o, { requireCleanExit: false });
      expect(r.failures).toEqual([]);
      expect(r.view.logs('joined')).toEqual([]);
      expect(r.kernel.exits.map((e) => e.describe)).toEqual(['exit 3']);
    }
  });

  it("the first thread's return ends the process (exit_group), other threads included", () => {
    const r = runOk(function* (sys) {
      yield* sys.thread(function* (sys) {
        const p = yield* sys.pipe();
        yield* sys.read(p.fds[0], 1);
        sys.log('thread survived', true);
      });
      return 0;
    });
    expect(r.view.logs('thread survived')).toEqual([]);
    expect(r.kernel.exits.length).toBe(1);
  });

  it('threads share signal handlers; each handler runs with the sys of the thread that takes the signal', () => {
    const r = runOk(function* (sys) {
      yield* sys.sigaction(SIGUSR1, (_sig, s) => s.log('handled by', s.tid));
      const p = yield* sys.pipe();
      const tid = yield* sys.thread(function* (sys) {
        yield* sys.syscall(131, sys.pid, sys.tid, SIGUSR1);
        yield* sys.write(p.fds[1], 'x');
      });
      yield* sys.read(p.fds[0], 1);
      yield* sys.join(tid);
    });
    expect(r.view.logs('handled by')).toEqual([2]);
  });
});

describe('sys.clone: processes sharing an fd table or fs without sharing memory', () => {
  it("with CLONE_FILES the child's close and open are the parent's; with CLONE_FS its chdir is", () => {
    for (const flags of [0, CLONE_FILES, CLONE_FS, CLONE_FILES | CLONE_FS]) {
      const r = runOk(function* (sys) {
        const p = yield* sys.pipe();
        const c = yield* sys.clone(flags | 17 /* SIGCHLD */, function* (sys) {
          yield* sys.dup(p.fds[1]); // fd 5
          yield* sys.close(p.fds[0]);
          yield* sys.chdir('/tmp');
        }, { name: 'sharer' });
        yield* sys.wait(c);
        sys.log('read end', (yield* sys.fcntl(p.fds[0], 1 /* F_GETFD */)) === -EBADF ? 'closed' : 'open');
        sys.log('dup', (yield* sys.fcntl(5, 1)) >= 0 ? 'ours' : 'not ours');
        sys.log('cwd', (yield* sys.getcwd()).path);
        for (const fd of [3, 4, 5]) yield* sys.close(fd);
      });
      const shareFiles = (flags & CLONE_FILES) !== 0;
      expect(r.view.log('read end'), `flags ${flags}`).toBe(shareFiles ? 'closed' : 'open');
      expect(r.view.log('dup')).toBe(shareFiles ? 'ours' : 'not ours');
      expect(r.view.log('cwd')).toBe(flags & CLONE_FS ? '/tmp' : '/');
      expect(r.view.exit('sharer')?.describe).toBe('exit 0');
    }
  });
});

describe('the two-thread acceptor story finds its planted bug', () => {
  it('accept-single-waker (one waker slot per listener) makes it fail under some seed, the correct kernel under none', async () => {
    const sc = (await import('../../scenarios/thread-two-acceptors.ts')).default;
    const failing = (bugs: string[]) => {
      let n = 0;
      for (let seed = 1; seed <= 20; seed++) if (runScenario(sc, { seed, bugs }).failures.length) n++;
      return n;
    };
    expect(failing(['accept-single-waker'])).toBeGreaterThan(0);
    expect(failing([])).toBe(0);
  });
});
