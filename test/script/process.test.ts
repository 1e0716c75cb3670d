// Scripted processes as Linux's: named forks, signal handlers inherited at
// fork and reset at execve, execve into a registered script or a guest
// binary, credentials with Linux's rules, `files` with directories, modes
// and owners, and the kernel-state view of a run.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { F_GETFD, O_CLOEXEC, O_RDONLY, O_WRONLY, SIG_DFL, SIG_IGN, SIGUSR1, SIGUSR2 } from '../../src/kernel/abi.ts';
import { EACCES, EBADF, EINTR, EINVAL, EPERM } from '../../src/kernel/errno.ts';
import { SCRIPT_HANDLER_BASE, type Sys } from '../../src/script/sys.ts';
import { AF_UNIX, SOCK_STREAM } from '../../src/unix/constants.ts';
import { eq, run, runOk } from '../kernel/harness.ts';

/** The current handler of `sig` (rt_sigaction with only the old action asked for): SIG_DFL, SIG_IGN or an address. */
function* disposition(sys: Sys, sig: number) {
  sys.scratch.reset();
  const old = sys.scratch.alloc(24);
  yield* sys.syscall(134, sig, 0, old, 8);
  return Number(new DataView(sys.scratch.read(old, 8).buffer).getBigUint64(0, true));
}

describe('fork, signal handlers and execve', () => {
  it('a forked child has the name given, and run.exit finds it by that name', () => {
    const r = runOk(function* (sys) {
      const a = yield* sys.fork(function* () { return 0; }, { name: 'worker' });
      const b = yield* sys.fork(function* named() { return 0; });
      yield* sys.wait(a);
      yield* sys.wait(b);
    });
    expect(r.view.exit('worker')?.pid).toBe(2);
    expect(r.view.exit('named')?.pid).toBe(3);
    expect(r.view.exit('p')?.pid).toBe(1);
  });

  it('a handler is inherited at fork and runs in the child with its own sys', () => {
    const r = runOk(function* (sys) {
      yield* sys.sigaction(SIGUSR1, (_s, s) => s.log('handled in', s.pid));
      const ready = yield* sys.pipe();
      const hold = yield* sys.pipe();
      const c = yield* sys.fork(function* (sys) {
        yield* sys.write(ready.fds[1], 'r');
        sys.log('child read', (yield* sys.read(hold.fds[0], 1)).ret); // interrupted by the signal
      }, { name: 'kid' });
      yield* sys.read(ready.fds[0], 1);
      yield* sys.kill(c, SIGUSR1);
      yield* sys.wait(c);
      for (const fd of [...ready.fds, ...hold.fds]) yield* sys.close(fd);
    });
    expect(r.view.logs('handled in')).toEqual([2]);
    expect(r.view.log('child read')).toBe(-EINTR);
  });

  it('execve into a registered script: same pid, argv and envp passed, cloexec fds closed, handlers reset to default', () => {
    const r = run(
      function* (sys) {
        yield* sys.sigaction(SIGUSR1, () => {});
        const keep = yield* sys.open('/tmp/motd', O_RDONLY);
        const drop = yield* sys.open('/tmp/motd', O_RDONLY | O_CLOEXEC);
        const ready = yield* sys.pipe();
        const c = yield* sys.fork(function* (sys) {
          const e = yield* sys.execve('/bin/waiter', ['waiter', String(keep), String(drop), String(ready.fds[1])], ['A=1']);
          sys.log('execve failed', e);
        }, { name: 'child' });
        yield* sys.read(ready.fds[0], 1);
        yield* sys.kill(c, SIGUSR1);
        sys.log('status', (yield* sys.wait(c)).status);
        for (const fd of [keep, drop, ...ready.fds]) yield* sys.close(fd);
      },
      {},
      {
        files: { '/tmp/motd': 'hi', '/bin': { dir: true } },
        programs: {
          *'/bin/waiter'(sys) {
            sys.log('argv', sys.argv);
            sys.log('envp', sys.envp);
            sys.log('pid', yield* sys.getpid());
            const [keep, drop, ready] = sys.argv.slice(1).map(Number);
            sys.log('keep', (yield* sys.read(keep, 2)).ret);
            sys.log('drop', (yield* sys.read(drop, 2)).ret);
            yield* sys.write(ready, 'r');
            const p = yield* sys.pipe();
            yield* sys.read(p.fds[0], 1); // the signal's default action ends this
            sys.log('survived', true);
          },
        },
        requireCleanExit: false,
      },
    );
    expect(r.failures).toEqual([]);
    expect(r.view.log('argv')).toEqual(['waiter', '3', '4', '6']);
    expect(r.view.log('envp')).toEqual(['A=1']);
    expect(r.view.log('pid')).toBe(2);
    expect(r.view.log('keep')).toBe(2);
    expect(r.view.log('drop')).toBe(-9); // EBADF: closed at exec
    expect(r.view.logs('survived')).toEqual([]);
    expect(r.view.log('status')).toBe(SIGUSR1);
    expect(r.view.exit(2)?.describe).toBe('killed by SIGUSR1');
  });

  it('execve into a guest binary from a script runs it in the same process', () => {
    const hello = new Uint8Array(readFileSync(new URL('../../guest/bin/hello', import.meta.url)));
    const r = runOk(function* (sys) {
      const c = yield* sys.fork(function* (sys) {
        return yield* sys.execve('/bin/hello', ['hello', 'there']);
      });
      sys.log('status', (yield* sys.wait(c)).status);
    }, {}, { files: { '/bin': { dir: true }, '/bin/hello': { content: hello, mode: 0o755 } } });
    expect(r.view.stdout()).toBe('hello, world\nargv[0] = hello\nargv[1] = there\n');
    expect(r.view.log('status')).toBe(0);
  });

  it('a guest binary execve()s a registered script (guest -> script), in a forked child and in itself', () => {
    // guest/execself.c sets a SIGUSR1 handler, forks, and execs argv[0] in the child and then in itself
    const execself = new Uint8Array(readFileSync(new URL('../../guest/bin/execself', import.meta.url)));
    const r = run(function* (sys) {
      return yield* sys.execve('/bin/execself', ['/bin/tool'], ['X=1']);
    }, {}, {
      files: { '/bin': { dir: true }, '/bin/execself': { content: execself, mode: 0o755 } },
      programs: {
        *'/bin/tool'(sys) {
          const [, again, kept, gone] = sys.argv;
          sys.log('run', { pid: yield* sys.getpid(), again, envp: sys.envp });
          sys.log('SIGUSR1', yield* disposition(sys, SIGUSR1));
          sys.log('fds', [yield* sys.fcntl(Number(kept), F_GETFD), yield* sys.fcntl(Number(gone), F_GETFD)]);
          return 7;
        },
      },
      requireCleanExit: false,
    });
    expect(r.failures).toEqual([]);
    // the forked child (pid 2) first, then the guest itself (pid 1) after it waited
    expect(r.view.logs('run')).toEqual([{ pid: 2, again: 'again', envp: ['X=1'] }, { pid: 1, again: 'again', envp: ['X=1'] }]);
    expect(r.view.logs('SIGUSR1')).toEqual([SIG_DFL, SIG_DFL]); // the guest's handler is reset at exec
    expect(r.view.logs('fds')).toEqual([[0, -EBADF], [0, -EBADF]]); // the plain pipe survives, the O_CLOEXEC one does not
    expect(r.view.stdout()).toBe('forked child exited with 7\nexecve of a missing file: -2\n');
    expect(r.view.exit(1)?.describe).toBe('exit 7');
  });

  it('handlers are per process: inherited at fork, changed by the child alone, handled ones reset and ignored ones kept at exec', () => {
    const r = run(function* (sys) {
      yield* sys.sigaction(SIGUSR1, (_sig, s) => s.log('handled by', s.pid));
      const c = yield* sys.fork(function* (sys) {
        sys.log('child inherits a handler', (yield* disposition(sys, SIGUSR1)) >= SCRIPT_HANDLER_BASE);
        yield* sys.sigaction(SIGUSR1, 'ignore');
        yield* sys.sigaction(SIGUSR2, () => {});
        yield* sys.kill(yield* sys.getppid(), SIGUSR1); // the parent's own handler runs, not the child's 'ignore'
        yield* sys.kill(yield* sys.getpid(), SIGUSR1); // ignored here
        return yield* sys.execve('/bin/after', ['after']);
      }, { name: 'child' });
      let w;
      do w = yield* sys.wait(c); while (w.ret === -EINTR); // the signal interrupts wait4 (no SA_RESTART)
      sys.log('child status', w.status >> 8);
    }, {}, {
      files: { '/bin': { dir: true } },
      programs: {
        *'/bin/after'(sys) {
          sys.log('after exec', [yield* disposition(sys, SIGUSR1), yield* disposition(sys, SIGUSR2)]);
          return 3;
        },
      },
      requireCleanExit: false,
    });
    expect(r.failures).toEqual([]);
    expect(r.view.log('child inherits a handler')).toBe(true);
    expect(r.view.logs('handled by')).toEqual([1]);
    expect(r.view.log('after exec')).toEqual([SIG_IGN, SIG_DFL]);
    expect(r.view.log('child status')).toBe(3);
  });

  it('execve of a file without execute permission is EACCES', () => {
    const r = runOk(function* (sys) {
      sys.log('e', yield* sys.execve('/tmp/x'));
    }, {}, { files: { '/tmp/x': 'data' } });
    expect(r.view.log('e')).toBe(-EACCES);
  });
});

describe('credentials', () => {
  it('setgid(-100) sets gid 4294967196 as Linux does; setgid(-1) and setuid(-1) are EINVAL', () => {
    const r = runOk(function* (sys) {
      sys.log('setgid(-1)', yield* sys.setgid(-1));
      sys.log('setuid(-1)', yield* sys.setuid(-1));
      eq(yield* sys.setgid(-100), 0, 'setgid(-100)');
      sys.log('getgid', yield* sys.getgid());
      sys.log('getegid', yield* sys.getegid());
    });
    expect(r.view.log('setgid(-1)')).toBe(-EINVAL);
    expect(r.view.log('setuid(-1)')).toBe(-EINVAL);
    expect(r.view.log('getgid')).toBe(4294967196);
    expect(r.view.log('getegid')).toBe(4294967196);
  });

  it('a process started as uid 1000 cannot become root; root that keeps a saved uid 0 can come back', () => {
    const r = runOk([
      {
        name: 'user', uid: 1000, gid: 1000,
        *program(sys) {
          sys.log('user setuid(0)', yield* sys.setuid(0));
          sys.log('user setresuid', yield* sys.setresuid(-1, 0, -1));
          sys.log('user ids', yield* sys.getresuid());
        },
      },
      {
        name: 'root',
        *program(sys) {
          eq(yield* sys.setresuid(1000, 1000, 0), 0, 'drop, keeping saved 0');
          sys.log('euid', yield* sys.geteuid());
          eq(yield* sys.setresuid(-1, 0, -1), 0, 'seteuid(0): back to root through the saved uid');
          eq(yield* sys.setuid(2000), 0, 'setuid as root sets all three');
          sys.log('root ids', yield* sys.getresuid());
          sys.log('setuid(0) after', yield* sys.setuid(0));
        },
      },
    ]);
    expect(r.view.log('user setuid(0)')).toBe(-EPERM);
    expect(r.view.log('user setresuid')).toBe(-EPERM);
    expect(r.view.log('user ids')).toEqual({ ret: 0, ruid: 1000, euid: 1000, suid: 1000 });
    expect(r.view.log('euid')).toBe(1000);
    expect(r.view.log('root ids')).toEqual({ ret: 0, ruid: 2000, euid: 2000, suid: 2000 });
    expect(r.view.log('setuid(0) after')).toBe(-EPERM);
  });

  it('files: directories, modes and owners decide who may open what', () => {
    const r = runOk([
      {
        name: 'alice', uid: 1000, gid: 1000,
        *program(sys) {
          sys.log('own file', yield* sys.open('/home/alice/notes', O_WRONLY));
          sys.log('root secret', yield* sys.open('/etc/secret', O_RDONLY));
          const st = yield* sys.stat('/home/alice');
          sys.log('dir', st.stat && { mode: st.stat.mode & 0o7777, uid: st.stat.uid, dir: (st.stat.mode & 0o170000) === 0o40000 });
          sys.log('socket in her dir', yield* sys.bind(yield* sys.socket(AF_UNIX, SOCK_STREAM), '/home/alice/sock'));
        },
      },
    ], {}, {
      // declared children before parents on purpose: parents are made first
      files: {
        '/home/alice/notes': { content: 'x', mode: 0o600, uid: 1000, gid: 1000 },
        '/home/alice': { dir: true, mode: 0o700, uid: 1000, gid: 1000 },
        '/home': { dir: true },
        '/etc/secret': { content: 'k', mode: 0o600 },
        '/etc': { dir: true },
      },
    });
    expect(r.view.log('own file')).toBe(3);
    expect(r.view.log('root secret')).toBe(-EACCES);
    expect(r.view.log('dir')).toEqual({ mode: 0o700, uid: 1000, dir: true });
    expect(r.view.log('socket in her dir')).toBe(0);
  });
});

describe('the kernel state view', () => {
  it('shows sleepers, listeners with their backlog, and fds in flight; empty after a clean run', () => {
    const r = run(function* (sys) {
      const ls = yield* sys.socket(AF_UNIX, SOCK_STREAM);
      yield* sys.bind(ls, { abstract: 'view' });
      yield* sys.listen(ls, 3);
      const c = yield* sys.socket(AF_UNIX, SOCK_STREAM);
      yield* sys.connect(c, { abstract: 'view' });
      const sp = yield* sys.socketpair(AF_UNIX, SOCK_STREAM);
      yield* sys.sendmsg(sp.fds[0], { data: 'f', fds: [c] });
      const p = yield* sys.pipe();
      yield* sys.read(p.fds[0], 1); // deadlock: nobody writes
    });
    expect(r.end.kind).toBe('deadlock');
    const s = r.view.state();
    const listener = s.sockets.find((x) => x.listener);
    expect(listener).toMatchObject({ addr: '@view', state: 'listening', listener: { pending: 1, backlog: 3, acceptors: 0 } });
    expect(s.sockets.find((x) => x.inflightFds === 1)?.queued).toEqual({ messages: 1, bytes: 1 });
    expect(s.inflight.length).toBe(1);
    expect(s.tasks).toMatchObject([{ pid: 1, state: 'blocked', sleepsOn: expect.stringMatching(/^pipe:\[\d+\] readers$/) }]);
    expect(r.view.describeState().some((l) => /listening, bound @view, .*backlog 1\/3/.test(l))).toBe(true);

    const ok = runOk(function* (sys) {
      const sp = yield* sys.socketpair(AF_UNIX, SOCK_STREAM);
      yield* sys.sendmsg(sp.fds[0], { data: 'f', fds: [sp.fds[1]] });
      yield* sys.close(sp.fds[0]);
      yield* sys.close(sp.fds[1]);
    });
    expect(ok.view.state().inflight).toEqual([]);
    expect(ok.view.describeState()).toEqual([]);
  });
});
