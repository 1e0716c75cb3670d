import { describe, expect, it } from 'vitest';
import { F_DUPFD, F_DUPFD_CLOEXEC, F_GETFD, F_GETFL, F_SETFD, F_SETFL, FD_CLOEXEC, O_APPEND, O_CLOEXEC, O_NONBLOCK, O_RDONLY, O_WRONLY } from '../../src/kernel/abi.ts';
import { EBADF, EINVAL, EMFILE } from '../../src/kernel/errno.ts';
import { FdBitmap } from '../../src/kernel/fdbitmap.ts';
import { FdTable } from '../../src/kernel/fdtable.ts';
import type { OpenFile } from '../../src/kernel/file.ts';
import { AF_UNIX, SOCK_STREAM } from '../../src/unix/constants.ts';
import { eq, runOk } from './harness.ts';

describe('fd table', () => {
  it('new fds take the lowest free number', () => {
    runOk(function* (sys) {
      const p = yield* sys.pipe();
      eq(p.fds.join(), '3,4');
      eq(yield* sys.close(3), 0);
      eq(yield* sys.dup(0), 3);
      eq(yield* sys.close(1), 0);
      eq(yield* sys.dup(4), 1);
      eq(yield* sys.close(3), 0);
      eq(yield* sys.close(3), -EBADF);
      eq(yield* sys.close(-1), -EBADF);
      yield* sys.close(1);
      yield* sys.close(4);
    });
  });

  it('EMFILE at RLIMIT_NOFILE (1024)', () => {
    runOk(function* (sys) {
      for (let fd = 3; fd < 1024; fd++) eq(yield* sys.dup(0), fd);
      eq(yield* sys.dup(0), -EMFILE);
      eq((yield* sys.pipe()).ret, -EMFILE);
      // A call that made its file before it found no fd puts the file back (epoll_create1,
      // socket: Linux frees it on the error path); a leaked one fails runOk's leak check.
      eq(yield* sys.epollCreate(), -EMFILE);
      eq(yield* sys.socket(AF_UNIX, SOCK_STREAM), -EMFILE);
      eq(yield* sys.fcntl(0, F_DUPFD, 1024), -EINVAL);
      eq(yield* sys.dup2(0, 1024), -EBADF);
      yield* sys.close(1023);
      eq(yield* sys.dup(0), 1023);
      for (let fd = 3; fd < 1024; fd++) yield* sys.close(fd);
    });
  });

  it('one free slot is not enough for pipe2', () => {
    runOk(function* (sys) {
      for (let fd = 3; fd < 1023; fd++) yield* sys.dup(0);
      eq((yield* sys.pipe()).ret, -EMFILE);
      eq(yield* sys.dup(0), 1023, 'the half-installed pipe was undone');
      for (let fd = 3; fd < 1024; fd++) yield* sys.close(fd);
    });
  });

  it('dup3 replaces the target, rejects equal fds and unknown flags', () => {
    runOk(function* (sys) {
      const p = yield* sys.pipe();
      eq(yield* sys.dup2(p.fds[1], p.fds[0]), p.fds[0], 'replaces (and closes) the read end');
      eq(yield* sys.fcntl(p.fds[0], F_GETFL), O_WRONLY, 'fd 3 is now the write end');
      eq(yield* sys.dup2(3, 3), -EINVAL);
      eq(yield* sys.syscall(24, 3, 9, 1), -EINVAL, 'unknown flag');
      eq(yield* sys.dup2(50, 9), -EBADF);
      eq(yield* sys.dup2(3, 9, true), 9);
      eq(yield* sys.fcntl(9, F_GETFD), FD_CLOEXEC);
      eq(yield* sys.fcntl(3, F_GETFD), 0, 'cloexec is per fd');
      yield* sys.close(3);
      yield* sys.close(4);
      yield* sys.close(9);
    });
  });

  it('fcntl: F_DUPFD(_CLOEXEC), F_SETFD, F_SETFL keeps only O_APPEND and O_NONBLOCK', () => {
    runOk(function* (sys) {
      const p = yield* sys.pipe(O_CLOEXEC);
      eq(yield* sys.fcntl(3, F_GETFD), FD_CLOEXEC);
      eq(yield* sys.fcntl(3, F_SETFD, 0), 0);
      eq(yield* sys.fcntl(3, F_GETFD), 0);
      eq(yield* sys.fcntl(3, F_DUPFD, 10), 10);
      eq(yield* sys.fcntl(3, F_DUPFD_CLOEXEC, 10), 11);
      eq(yield* sys.fcntl(11, F_GETFD), FD_CLOEXEC);
      eq(yield* sys.fcntl(10, F_GETFD), 0);
      eq(yield* sys.fcntl(4, F_SETFL, O_NONBLOCK | O_APPEND | O_RDONLY | 0o100), 0);
      eq(yield* sys.fcntl(4, F_GETFL), O_WRONLY | O_NONBLOCK | O_APPEND, 'access mode and O_CREAT untouched');
      eq(yield* sys.fcntl(3, 9999), -EINVAL);
      eq(yield* sys.fcntl(99, F_GETFL), -EBADF);
      for (const fd of [...p.fds, 10, 11]) yield* sys.close(fd);
    });
  });

  it('takeCloexec removes exactly the close-on-exec fds', () => {
    const t = new FdTable();
    const files = [0, 1, 2].map((i) => ({ id: i }) as never);
    t.install(files[0], false);
    t.install(files[1], true);
    t.install(files[2], false);
    expect(t.takeCloexec()).toEqual([files[1]]);
    expect([...t.entries()].map(([fd]) => fd)).toEqual([0, 2]);
  });
});

describe('lowest free fd (find_next_fd over the levels of open and full-word bitmaps)', () => {
  it('agrees with a linear scan over 20,000 random installs (some with a minimum fd) and removes', () => {
    const t = new FdTable();
    t.limit = 1 << 20;
    const file = { get: () => file } as unknown as OpenFile;
    const model = new Set<number>();
    const open: number[] = []; // the model's fds, for picking one at random
    let seed = 1;
    const rnd = (): number => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
    const wrong: string[] = []; // (one expect per call would cost more than the table does)
    for (let i = 0; i < 20000; i++) {
      if (rnd() < 0.7) {
        const min = rnd() < 0.2 ? Math.floor(rnd() * 3000) : 0;
        let expected = min;
        while (model.has(expected)) expected++;
        const got = t.install(file, false, min);
        if (got !== expected) wrong.push(`install(min ${min}) = ${got}, not ${expected}`);
        model.add(expected);
        open.push(expected);
      } else if (open.length) {
        const k = Math.floor(rnd() * open.length);
        const fd = open[k];
        open[k] = open[open.length - 1];
        open.pop();
        t.remove(fd);
        model.delete(fd);
      }
    }
    expect(wrong.slice(0, 3)).toEqual([]);
    expect(t.freeCount()).toBe(t.limit - model.size);
  });

  it('across four levels (40,000 open fds): holes come back lowest first, then the end; a minimum past the end is free', () => {
    const b = new FdBitmap();
    let wrong = 0;
    for (let fd = 0; fd < 40_000; fd++) {
      if (b.lowestFree(0) !== fd) wrong++;
      b.set(fd);
    }
    expect(wrong).toBe(0);
    const holes = [5, 31, 32, 1023, 1024, 1025, 32767, 32768, 39_999];
    for (const h of [...holes].reverse()) b.clear(h);
    for (const h of holes) {
      expect(b.lowestFree(0)).toBe(h);
      b.set(h);
    }
    expect(b.lowestFree(0)).toBe(40_000);
    expect(b.lowestFree(1_000_000)).toBe(1_000_000);
    b.clear(7);
    expect([b.lowestFree(7), b.lowestFree(8), b.has(7), b.has(8)]).toEqual([7, 40_000, false, true]);
  });
});
