import { describe, expect, it } from 'vitest';
import { O_CREAT, O_RDWR, SEEK_CUR, SEEK_SET } from '../../src/kernel/abi.ts';
import { ENOSYS } from '../../src/kernel/errno.ts';
import { AF_UNIX, SO_INQ, SO_PASSPIDFD, SOCK_STREAM, SOL_SOCKET } from '../../src/unix/constants.ts';
import { text, toBytes } from '../../src/script/sys.ts';
import { eq, run, runOk } from '../kernel/harness.ts';

describe('sys wrappers', () => {
  it('forked processes share the open file and its offset', () => {
    const r = runOk(function* (sys) {
      const fd = yield* sys.open('/tmp/shared', O_CREAT | O_RDWR);
      yield* sys.write(fd, 'parent1 ');
      const c = yield* sys.fork(function* (sys) {
        yield* sys.write(fd, 'child ');
        return 0;
      });
      yield* sys.wait(c);
      eq(yield* sys.lseek(fd, 0, SEEK_CUR), 14, 'the child moved our offset');
      yield* sys.write(fd, 'parent2');
      yield* sys.lseek(fd, 0, SEEK_SET);
      sys.log('content', text((yield* sys.read(fd, 100)).data));
      yield* sys.close(fd);
    });
    expect(r.kernel.notes[0].value).toBe('parent1 child parent2');
  });

  it('readv and writev scatter and gather', () => {
    const r = runOk(function* (sys) {
      const p = yield* sys.pipe();
      eq(yield* sys.writev(p.fds[1], ['ab', '', 'cde']), 5);
      const v = yield* sys.readv(p.fds[0], [1, 3]);
      eq(v.ret, 4);
      sys.log('data', text(v.data));
      yield* sys.close(p.fds[0]);
      yield* sys.close(p.fds[1]);
    });
    expect(r.kernel.notes[0].value).toBe('abcd');
  });

  it('recvmsg decodes SCM_INQ (SO_INQ) and SCM_PIDFD (SO_PASSPIDFD)', () => {
    const r = runOk(function* (sys) {
      const sp = yield* sys.socketpair(AF_UNIX, SOCK_STREAM);
      const [a, b] = sp.fds;
      eq(yield* sys.setsockopt(b, SOL_SOCKET, SO_INQ, 1), 0);
      eq(yield* sys.setsockopt(b, SOL_SOCKET, SO_PASSPIDFD, 1), 0);
      yield* sys.send(a, 'abcdef');
      const m = yield* sys.recvmsg(b, { n: 2 });
      sys.log('got', { data: text(m.data), inq: m.inq, pidfd: m.pidfd !== null && m.pidfd > 2 });
      eq(yield* sys.setsockopt(b, SOL_SOCKET, SO_INQ, 0), 0);
      eq(yield* sys.setsockopt(b, SOL_SOCKET, SO_PASSPIDFD, 0), 0);
      const m2 = yield* sys.recvmsg(b, { n: 8 });
      sys.log('then', { data: text(m2.data), inq: m2.inq, pidfd: m2.pidfd });
    });
    expect(r.kernel.notes.map((n) => n.value)).toEqual([{ data: 'ab', inq: 4, pidfd: true }, { data: 'cdef', inq: null, pidfd: null }]);
  });

  it('pids, parents and uids', () => {
    runOk(function* (sys) {
      eq(yield* sys.getpid(), 1);
      eq(yield* sys.getppid(), 0);
      eq(yield* sys.getuid(), 0);
      const c = yield* sys.fork(function* (sys) {
        eq(yield* sys.getpid(), 2);
        eq(yield* sys.getppid(), 1);
        return 0;
      });
      eq(c, 2);
      yield* sys.wait(c);
    });
  });

  it('a script exception fails the run with its message', () => {
    const r = run(function* (sys) {
      yield* sys.getpid();
      throw new Error('boom');
    });
    expect(r.failures.some((f) => /^script error in pid 1: boom \(at test\/script\/sys.test.ts:\d+:\d+\)$/.test(f)), r.failures.join('; ')).toBe(true);
  });

  it('an unknown syscall is ENOSYS and counted', () => {
    const r = runOk(function* (sys) {
      eq(yield* sys.syscall(500), -ENOSYS);
      eq(yield* sys.syscall(-5), -ENOSYS);
    });
    expect(r.kernel.stats.enosys).toBe(2);
  });

  it('toBytes is UTF-8 for any string', () => {
    expect(toBytes('héllo ✓')).toEqual(new TextEncoder().encode('héllo ✓'));
    expect(toBytes('plain')).toEqual(new TextEncoder().encode('plain'));
    expect(toBytes('x'.repeat(100))).toEqual(new TextEncoder().encode('x'.repeat(100)));
  });

  it('exit status comes from the return value or sys.exit', () => {
    const r = run(
      [
        { name: 'ret', *program() { return 3; } },
        { name: 'exit', *program(sys) { yield* sys.exit(4); } },
      ],
      {},
      { requireCleanExit: false },
    );
    expect(r.kernel.exits.map((e) => e.describe).sort()).toEqual(['exit 3', 'exit 4']);
  });
});
