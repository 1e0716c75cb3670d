import { describe, expect, it } from 'vitest';
import {
  AT_EACCESS, AT_EMPTY_PATH, AT_FDCWD, F_GETFL, O_APPEND, O_CLOEXEC, O_CREAT, O_DIRECTORY, O_EXCL, O_NONBLOCK, O_PATH,
  O_RDONLY, O_RDWR, O_TRUNC, O_WRONLY, R_OK, S_IFDIR, S_IFIFO, S_IFMT, S_IFREG, S_IFSOCK, SEEK_CUR, SEEK_END, SEEK_SET,
  W_OK, X_OK,
} from '../../src/kernel/abi.ts';
import {
  EACCES, EBADF, EEXIST, EFAULT, EINVAL, EISDIR, ENAMETOOLONG, ENOENT, ENOTDIR, ENOTEMPTY, ENOTTY, ENXIO, EPERM, ERANGE, ESPIPE,
} from '../../src/kernel/errno.ts';
import { text, type Sys, type SysGen } from '../../src/script/sys.ts';
import { decodeStat, type Stat } from '../../src/script/structs.ts';
import { eq, run, runOk } from './harness.ts';

function* mknod(sys: Sys, path: string, mode: number): SysGen<number> {
  sys.scratch.reset();
  return yield* sys.syscall(33, AT_FDCWD, sys.scratch.cstring(path), mode, 0);
}

function* statAt(sys: Sys, dirfd: number, path: string, flags: number): SysGen<{ ret: number; stat: Stat | null }> {
  sys.scratch.reset();
  const buf = sys.scratch.alloc(128);
  const ret = yield* sys.syscall(79, dirfd, sys.scratch.cstring(path), buf, flags);
  return { ret, stat: ret === 0 ? decodeStat(sys.scratch.read(buf, 128)) : null };
}

describe('openat', () => {
  it('creates, writes, reads back through a shared offset and seeks', () => {
    runOk(function* (sys) {
      const fd = yield* sys.open('/tmp/a', O_CREAT | O_RDWR, 0o644);
      eq(fd, 3, 'lowest free fd');
      eq(yield* sys.write(fd, 'hello world'), 11);
      eq(yield* sys.lseek(fd, 0, SEEK_CUR), 11, 'position after write');
      eq(yield* sys.lseek(fd, 6, SEEK_SET), 6);
      eq(text((yield* sys.read(fd, 100)).data), 'world');
      eq((yield* sys.read(fd, 100)).ret, 0, 'read at end of file');
      eq(yield* sys.lseek(fd, -5, SEEK_END), 6);
      eq(yield* sys.lseek(fd, -7, SEEK_CUR), -EINVAL, 'negative result');
      eq(yield* sys.lseek(fd, 0, 7), -EINVAL, 'bad whence');
      eq(yield* sys.lseek(fd, 0, SEEK_CUR), 6, 'failed lseek keeps position');
      eq(text((yield* sys.pread(fd, 5, 0)).data), 'hello');
      eq(yield* sys.lseek(fd, 0, SEEK_CUR), 6, 'pread keeps position');
      eq(yield* sys.close(fd), 0);
    });
  });

  it('applies the umask and reports the mode, size and type in stat', () => {
    runOk(function* (sys) {
      yield* sys.umask(0o027);
      const fd = yield* sys.open('/tmp/m', O_CREAT | O_WRONLY, 0o777);
      yield* sys.write(fd, 'abc');
      const s = (yield* sys.fstat(fd)).stat!;
      eq(s.mode, S_IFREG | 0o750, 'mode');
      eq(s.size, 3, 'size');
      eq(s.nlink, 1, 'nlink');
      const p = (yield* sys.stat('/tmp/m')).stat!;
      eq(p.ino, s.ino, 'same inode by path and fd');
      yield* sys.close(fd);
    });
  });

  it('O_EXCL fails on an existing file; O_TRUNC empties it; ENOENT without O_CREAT', () => {
    runOk(function* (sys) {
      const fd = yield* sys.open('/tmp/x', O_CREAT | O_WRONLY);
      yield* sys.write(fd, 'data');
      yield* sys.close(fd);
      eq(yield* sys.open('/tmp/x', O_CREAT | O_EXCL | O_WRONLY), -EEXIST);
      eq(yield* sys.open('/tmp/nope', O_RDONLY), -ENOENT);
      eq(yield* sys.open('/nodir/x', O_CREAT | O_WRONLY), -ENOENT);
      eq(yield* sys.open('/tmp/x/y', O_RDONLY), -ENOTDIR);
      eq(yield* sys.open('/tmp/x/', O_RDONLY), -ENOTDIR, 'trailing slash on a file');
      eq(yield* sys.open('/tmp/new/', O_CREAT | O_WRONLY), -EISDIR);
      const t = yield* sys.open('/tmp/x', O_WRONLY | O_TRUNC);
      eq((yield* sys.fstat(t)).stat!.size, 0, 'truncated');
      yield* sys.close(t);
    });
  });

  it('O_APPEND writes at the end whatever the position', () => {
    runOk(function* (sys) {
      const a = yield* sys.open('/tmp/log', O_CREAT | O_RDWR | O_APPEND);
      const b = yield* sys.open('/tmp/log', O_RDWR);
      yield* sys.write(b, '1234');
      yield* sys.write(a, 'ab');
      eq(yield* sys.lseek(a, 0, SEEK_CUR), 6);
      yield* sys.lseek(a, 0, SEEK_SET);
      yield* sys.write(a, 'cd');
      eq(text((yield* sys.pread(b, 100, 0)).data), '1234abcd');
      eq((yield* sys.fcntl(a, F_GETFL)) & (O_APPEND | O_CREAT | 3), O_APPEND | O_RDWR, 'F_GETFL keeps O_APPEND, drops O_CREAT');
      yield* sys.close(a);
      yield* sys.close(b);
    });
  });

  it('writing past the end leaves a zero-filled hole', () => {
    runOk(function* (sys) {
      const fd = yield* sys.open('/tmp/h', O_CREAT | O_RDWR);
      yield* sys.lseek(fd, 4, SEEK_SET);
      yield* sys.write(fd, 'x');
      const r = yield* sys.pread(fd, 10, 0);
      eq(r.ret, 5);
      eq(Array.from(r.data).join(','), '0,0,0,0,120');
      yield* sys.close(fd);
    });
  });

  it('directories: EISDIR for writing, read is EISDIR, O_DIRECTORY on a file is ENOTDIR', () => {
    runOk(function* (sys) {
      eq(yield* sys.open('/tmp', O_WRONLY), -EISDIR);
      eq(yield* sys.open('/tmp', O_RDWR), -EISDIR);
      eq(yield* sys.open('/tmp', O_RDONLY | O_TRUNC), -EISDIR);
      eq(yield* sys.open('/tmp', O_CREAT | O_RDONLY), -EISDIR);
      eq(yield* sys.open('/tmp', O_CREAT | O_DIRECTORY | O_RDONLY), -EINVAL, 'O_CREAT|O_DIRECTORY (Linux >= 6.4)');
      const d = yield* sys.open('/tmp', O_RDONLY | O_DIRECTORY);
      eq((yield* sys.read(d, 10)).ret, -EISDIR);
      eq((yield* sys.fstat(d)).stat!.mode & S_IFMT, S_IFDIR);
      yield* sys.close(d);
      const f = yield* sys.open('/tmp/f', O_CREAT | O_RDONLY);
      yield* sys.close(f);
      eq(yield* sys.open('/tmp/f', O_RDONLY | O_DIRECTORY), -ENOTDIR);
    });
  });

  it('ioctl on a regular file is ENOTTY; lseek on a pipe is ESPIPE', () => {
    runOk(function* (sys) {
      const fd = yield* sys.open('/tmp/i', O_CREAT | O_RDWR);
      eq((yield* sys.ioctlInt(fd, 0x5401)).ret, -ENOTTY);
      const p = yield* sys.pipe();
      eq(yield* sys.lseek(p.fds[0], 0, SEEK_SET), -ESPIPE);
      yield* sys.close(p.fds[0]);
      yield* sys.close(p.fds[1]);
      yield* sys.close(fd);
    });
  });

  it('non-root users need permission; root does not', () => {
    runOk(
      [
        {
          name: 'root',
          *program(sys) {
            const fd = yield* sys.open('/tmp/secret', O_CREAT | O_WRONLY, 0o600);
            yield* sys.close(fd);
            eq(yield* sys.mkdir('/tmp/locked', 0o700), 0);
            return 0;
          },
        },
      ],
      {},
    );
    const r = run([
      {
        name: 'root',
        *program(sys) {
          yield* sys.close(yield* sys.open('/tmp/secret', O_CREAT | O_WRONLY, 0o600));
          yield* sys.close(yield* sys.open('/tmp/ro', O_CREAT | O_WRONLY, 0o644));
          yield* sys.mkdir('/tmp/locked', 0o700);
          yield* sys.mkdir('/rootonly', 0o755);
          eq(yield* sys.open('/tmp/ro', O_RDWR), 3, 'root opens anything');
          yield* sys.close(3);
          sys.log('root done', true);
          yield* sys.fork(function* (sys) {
            yield* sys.syscall(146, 1000); // setuid(1000)
            eq(yield* sys.open('/tmp/secret', O_RDONLY), -EACCES, 'read 0600 of root');
            eq(yield* sys.open('/tmp/ro', O_WRONLY), -EACCES, 'write 0644 of root');
            eq(yield* sys.open('/tmp/ro', O_RDONLY | O_TRUNC), -EACCES, 'O_TRUNC needs write');
            eq(yield* sys.open('/tmp/ro', O_RDONLY), 3, 'read 0644');
            yield* sys.close(3);
            eq(yield* sys.open('/tmp/locked/x', O_CREAT | O_WRONLY), -EACCES, 'search in a 0700 dir');
            eq(yield* sys.open('/rootonly/x', O_CREAT | O_WRONLY), -EACCES, 'create in a 0755 dir of root');
            eq(yield* sys.open('/tmp/mine', O_CREAT | O_WRONLY, 0o400), 3, 'new file opens despite its mode');
            yield* sys.close(3);
            eq(yield* sys.open('/tmp/mine', O_WRONLY), -EACCES, 'but not the second time');
            eq(yield* sys.unlink('/tmp/secret'), -EPERM, 'sticky /tmp: not the owner');
            eq(yield* sys.unlink('/tmp/mine'), 0, 'sticky /tmp: the owner');
            return 0;
          });
          eq((yield* sys.wait()).status, 0, 'child status');
          return 0;
        },
      },
    ]);
    expect(r.failures).toEqual([]);
  });

  it('ENAMETOOLONG for a long component or path; EFAULT for a bad pointer', () => {
    runOk(function* (sys) {
      eq(yield* sys.open('/tmp/' + 'a'.repeat(256), O_CREAT | O_WRONLY), -ENAMETOOLONG);
      eq(yield* sys.open('/' + 'a/'.repeat(2100), O_RDONLY), -ENAMETOOLONG);
      eq(yield* sys.syscall(56, AT_FDCWD, 0, O_RDONLY, 0), -EFAULT);
      eq(yield* sys.syscall(56, AT_FDCWD, 0xdead0000, O_RDONLY, 0), -EFAULT);
      eq(yield* sys.open('', O_RDONLY), -ENOENT);
    });
  });

  it('ENXIO opening a socket inode; O_PATH works on it; unlink removes only the name', () => {
    runOk(function* (sys) {
      eq(yield* mknod(sys, '/tmp/sock', S_IFSOCK | 0o777), 0);
      eq(yield* sys.open('/tmp/sock', O_RDWR), -ENXIO);
      eq(yield* sys.open('/tmp/sock', O_RDONLY), -ENXIO);
      const p = yield* sys.open('/tmp/sock', O_PATH);
      eq(p, 3);
      const s = (yield* sys.fstat(p)).stat!;
      eq(s.mode & S_IFMT, S_IFSOCK, 'fstat of O_PATH socket');
      eq((yield* sys.read(p, 1)).ret, -EBADF, 'O_PATH read');
      eq(yield* sys.write(p, 'x'), -EBADF, 'O_PATH write');
      eq(yield* sys.unlink('/tmp/sock'), 0);
      eq((yield* sys.stat('/tmp/sock')).ret, -ENOENT);
      eq((yield* sys.fstat(p)).stat!.nlink, 0, 'the inode lives on, unlinked');
      yield* sys.close(p);
    });
  });

  it('O_CLOEXEC sets FD_CLOEXEC on the new fd', () => {
    runOk(function* (sys) {
      const fd = yield* sys.open('/tmp/c', O_CREAT | O_WRONLY | O_CLOEXEC);
      eq(yield* sys.fcntl(fd, 1), 1);
      yield* sys.close(fd);
    });
  });

  it('openat relative to a directory fd; EBADF / ENOTDIR for a bad dirfd', () => {
    runOk(function* (sys) {
      yield* sys.mkdir('/tmp/d');
      const d = yield* sys.open('/tmp/d', O_RDONLY | O_DIRECTORY);
      sys.scratch.reset();
      const fd = yield* sys.syscall(56, d, sys.scratch.cstring('f'), O_CREAT | O_WRONLY, 0o600);
      eq(fd, 4);
      eq((yield* sys.stat('/tmp/d/f')).ret, 0);
      sys.scratch.reset();
      eq(yield* sys.syscall(56, fd, sys.scratch.cstring('g'), O_RDONLY, 0), -ENOTDIR);
      sys.scratch.reset();
      eq(yield* sys.syscall(56, 77, sys.scratch.cstring('g'), O_RDONLY, 0), -EBADF);
      sys.scratch.reset();
      eq(yield* sys.syscall(56, 77, sys.scratch.cstring('/tmp/d/f'), O_RDONLY, 0), 5, 'absolute path ignores dirfd');
      yield* sys.close(5);
      yield* sys.close(fd);
      yield* sys.close(d);
    });
  });

  it('pwrite64 writes at an offset without moving the position', () => {
    runOk(function* (sys) {
      const fd = yield* sys.open('/tmp/pw', O_CREAT | O_RDWR);
      yield* sys.write(fd, 'aaaa');
      sys.scratch.reset();
      const b = sys.scratch.put(new TextEncoder().encode('ZZ'));
      eq(yield* sys.syscall(68, fd, b, 2, 1), 2);
      eq(yield* sys.syscall(68, fd, b, 2, -1), -EINVAL, 'negative offset');
      eq(yield* sys.lseek(fd, 0, SEEK_CUR), 4);
      eq(text((yield* sys.pread(fd, 10, 0)).data), 'aZZa');
      yield* sys.close(fd);
    });
  });
});

describe('unlinkat, mkdirat, mknodat', () => {
  it('removes files and empty directories with the Linux errors', () => {
    runOk(function* (sys) {
      eq(yield* sys.mkdir('/tmp/d', 0o755), 0);
      eq(yield* sys.mkdir('/tmp/d', 0o755), -EEXIST);
      eq(yield* sys.mkdir('/tmp/nope/d'), -ENOENT);
      yield* sys.close(yield* sys.open('/tmp/d/f', O_CREAT | O_WRONLY));
      eq(yield* sys.mkdir('/tmp/d/f/g'), -ENOTDIR);
      eq(yield* sys.rmdir('/tmp/d'), -ENOTEMPTY);
      eq(yield* sys.unlink('/tmp/d'), -EISDIR);
      eq(yield* sys.rmdir('/tmp/d/f'), -ENOTDIR);
      eq(yield* sys.unlink('/tmp/d/f'), 0);
      eq(yield* sys.unlink('/tmp/d/f'), -ENOENT);
      eq(yield* sys.rmdir('/tmp/d/.'), -EINVAL);
      eq(yield* sys.rmdir('/tmp/d/..'), -ENOTEMPTY);
      eq(yield* sys.rmdir('/tmp/d'), 0);
      eq((yield* sys.stat('/tmp/d')).ret, -ENOENT);
      sys.scratch.reset();
      eq(yield* sys.syscall(35, AT_FDCWD, sys.scratch.cstring('/tmp'), 0x1), -EINVAL, 'unknown flag');
    });
  });

  it('an open file outlives its name', () => {
    runOk(function* (sys) {
      const fd = yield* sys.open('/tmp/gone', O_CREAT | O_RDWR);
      yield* sys.write(fd, 'still here');
      eq(yield* sys.unlink('/tmp/gone'), 0);
      eq(text((yield* sys.pread(fd, 100, 0)).data), 'still here');
      yield* sys.close(fd);
    });
  });

  it('directory link counts follow subdirectories', () => {
    runOk(function* (sys) {
      yield* sys.mkdir('/tmp/p');
      eq((yield* sys.stat('/tmp/p')).stat!.nlink, 2);
      yield* sys.mkdir('/tmp/p/q');
      eq((yield* sys.stat('/tmp/p')).stat!.nlink, 3);
      yield* sys.rmdir('/tmp/p/q');
      eq((yield* sys.stat('/tmp/p')).stat!.nlink, 2);
    });
  });

  it('mknodat makes regular files and FIFOs, refuses devices', () => {
    runOk(function* (sys) {
      eq(yield* mknod(sys, '/tmp/r', S_IFREG | 0o640), 0);
      eq((yield* sys.stat('/tmp/r')).stat!.mode, S_IFREG | 0o640);
      eq(yield* mknod(sys, '/tmp/r0', 0o600), 0, 'type 0 means regular');
      eq(yield* mknod(sys, '/tmp/fifo', S_IFIFO | 0o666), 0);
      eq((yield* sys.stat('/tmp/fifo')).stat!.mode, S_IFIFO | 0o644, 'umask applies');
      eq(yield* mknod(sys, '/tmp/chr', 0o020000 | 0o600), -EPERM);
      eq(yield* mknod(sys, '/tmp/dir', S_IFDIR | 0o600), -EPERM);
      eq(yield* mknod(sys, '/tmp/r', S_IFREG | 0o600), -EEXIST);
      eq(yield* mknod(sys, '/tmp/bad', 0o170000), -EINVAL);
    });
  });

  it('a FIFO connects a writer and a reader that open it by name', () => {
    const r = runOk(function* (sys) {
      eq(yield* mknod(sys, '/tmp/q', S_IFIFO | 0o600), 0);
      eq(yield* sys.open('/tmp/q', O_WRONLY | O_NONBLOCK), -ENXIO, 'nonblocking writer without reader');
      const child = yield* sys.fork(function* (sys) {
        const fd = yield* sys.open('/tmp/q', O_WRONLY); // blocks until the reader opens
        yield* sys.write(fd, 'through the fifo');
        yield* sys.close(fd);
        return 0;
      });
      const fd = yield* sys.open('/tmp/q', O_RDONLY);
      eq((yield* sys.fstat(fd)).stat!.mode & S_IFMT, S_IFIFO);
      const m = yield* sys.readAll(fd, 100);
      sys.log('got', text(m.data));
      yield* sys.close(fd);
      yield* sys.wait(child);
    });
    expect(r.kernel.notes.find((n) => n.key === 'got')?.value).toBe('through the fifo');
  });
});

describe('newfstatat and fstat', () => {
  it('lays out struct stat as asm-generic does', () => {
    runOk(function* (sys) {
      const fd = yield* sys.open('/tmp/s', O_CREAT | O_WRONLY, 0o600);
      yield* sys.write(fd, 'x'.repeat(5000));
      sys.scratch.reset();
      const buf = sys.scratch.alloc(128);
      eq(yield* sys.syscall(80, fd, buf), 0);
      const b = sys.scratch.read(buf, 128);
      const v = new DataView(b.buffer, b.byteOffset);
      eq(v.getUint32(16, true), S_IFREG | 0o600, 'mode@16');
      eq(v.getUint32(20, true), 1, 'nlink@20');
      eq(Number(v.getBigInt64(48, true)), 5000, 'size@48');
      eq(v.getInt32(56, true), 4096, 'blksize@56');
      eq(Number(v.getBigInt64(64, true)), 16, 'blocks@64 (512-byte units)');
      eq(Number(v.getBigUint64(8, true)) > 0, true, 'ino@8');
      yield* sys.close(fd);
    });
  });

  it('reports S_IFIFO for pipes, S_IFDIR for directories, and follows AT_EMPTY_PATH', () => {
    runOk(function* (sys) {
      const p = yield* sys.pipe();
      eq((yield* sys.fstat(p.fds[0])).stat!.mode & S_IFMT, S_IFIFO);
      eq((yield* statAt(sys, p.fds[1], '', AT_EMPTY_PATH)).stat!.mode & S_IFMT, S_IFIFO, 'glibc fstat');
      eq((yield* statAt(sys, p.fds[1], '', 0)).ret, -ENOENT, 'empty path without the flag');
      eq((yield* statAt(sys, AT_FDCWD, '', AT_EMPTY_PATH)).stat!.mode & S_IFMT, S_IFDIR, 'the cwd');
      eq((yield* statAt(sys, 99, '', AT_EMPTY_PATH)).ret, -EBADF);
      eq((yield* statAt(sys, AT_FDCWD, '/tmp', 0x4)).ret, -EINVAL, 'unknown flag');
      eq((yield* sys.stat('/')).stat!.mode & S_IFMT, S_IFDIR);
      eq((yield* sys.fstat(1)).ret, 0, 'console');
      eq((yield* sys.fstat(42)).ret, -EBADF);
      eq(yield* sys.syscall(80, 1, 0), -EFAULT);
      yield* sys.close(p.fds[0]);
      yield* sys.close(p.fds[1]);
    });
  });
});

describe('faccessat, getcwd, chdir, fchmod', () => {
  it('access checks the real uid unless AT_EACCESS', () => {
    runOk(function* (sys) {
      yield* sys.close(yield* sys.open('/tmp/a', O_CREAT | O_WRONLY, 0o600));
      yield* sys.close(yield* sys.open('/tmp/x', O_CREAT | O_WRONLY, 0o755));
      eq(yield* sys.access('/tmp/a', R_OK | W_OK), 0);
      eq(yield* sys.access('/tmp/a', X_OK), -EACCES, 'root needs some x bit');
      eq(yield* sys.access('/tmp/x', X_OK), 0);
      eq(yield* sys.access('/tmp/none', 0), -ENOENT);
      eq(yield* sys.access('/tmp/a', 8), -EINVAL);
      // setresuid-like state: real uid 1000, effective 0 (a set-user-ID root program)
      yield* sys.fork(function* (sys) {
        sys.ctx.task.creds = { ...sys.ctx.task.creds, uid: 1000, gid: 1000 };
        eq(yield* sys.access('/tmp/a', R_OK), -EACCES, 'real uid 1000');
        sys.scratch.reset();
        eq(yield* sys.syscall(439, AT_FDCWD, sys.scratch.cstring('/tmp/a'), R_OK, AT_EACCESS), 0, 'effective uid 0');
        return 0;
      });
      eq((yield* sys.wait()).status, 0);
    });
  });

  it('getcwd follows chdir; ERANGE when the buffer is short; returns the length with NUL', () => {
    runOk(function* (sys) {
      eq((yield* sys.getcwd()).path, '/');
      yield* sys.mkdir('/tmp/w');
      eq(yield* sys.chdir('/tmp/w'), 0);
      const c = yield* sys.getcwd();
      eq(c.path, '/tmp/w');
      eq(c.ret, 7);
      sys.scratch.reset();
      const b = sys.scratch.alloc(16);
      eq(yield* sys.syscall(17, b, 6), -ERANGE);
      eq(yield* sys.syscall(17, b, 7), 7);
      eq(yield* sys.syscall(17, 0, 100), -EFAULT);
      yield* sys.close(yield* sys.open('rel', O_CREAT | O_WRONLY));
      eq((yield* sys.stat('/tmp/w/rel')).ret, 0, 'relative paths start at the cwd');
      eq(yield* sys.chdir('..'), 0);
      eq((yield* sys.getcwd()).path, '/tmp');
      eq(yield* sys.chdir('/tmp/w/rel'), -ENOTDIR);
      eq(yield* sys.chdir('/nope'), -ENOENT);
      yield* sys.unlink('/tmp/w/rel');
      yield* sys.chdir('/tmp/w');
      yield* sys.rmdir('/tmp/w');
      eq((yield* sys.getcwd()).ret, -ENOENT, 'removed cwd');
      eq(yield* sys.open('x', O_CREAT | O_WRONLY), -ENOENT, 'no new entries in a removed directory');
    });
  });

  it('chdir needs search permission; fchmod needs ownership', () => {
    runOk(function* (sys) {
      yield* sys.mkdir('/tmp/closed', 0o700);
      yield* sys.close(yield* sys.open('/tmp/f', O_CREAT | O_WRONLY, 0o644));
      const fd = yield* sys.open('/tmp/f', O_RDONLY);
      eq(yield* sys.fchmod(fd, 0o600), 0);
      eq((yield* sys.stat('/tmp/f')).stat!.mode, S_IFREG | 0o600);
      yield* sys.fork(function* (sys) {
        yield* sys.syscall(146, 1000);
        eq(yield* sys.chdir('/tmp/closed'), -EACCES);
        eq(yield* sys.fchmod(3, 0o666), -EPERM);
        return 0;
      });
      eq((yield* sys.wait()).status, 0);
      sys.scratch.reset();
      eq(yield* sys.syscall(53, AT_FDCWD, sys.scratch.cstring('/tmp/f'), 0o640), 0);
      eq((yield* sys.fstat(fd)).stat!.mode, S_IFREG | 0o640);
      eq(yield* sys.fchmod(99, 0o600), -EBADF);
      yield* sys.close(fd);
    });
  });
});

describe('getdents64 and ftruncate', () => {
  it('lists ".", ".." and the entries in creation order', () => {
    const r = runOk(function* (sys) {
      yield* sys.mkdir('/tmp/l');
      for (const n of ['b', 'a', 'c']) yield* sys.close(yield* sys.open(`/tmp/l/${n}`, O_CREAT | O_WRONLY));
      yield* sys.mkdir('/tmp/l/sub');
      const d = yield* sys.open('/tmp/l', O_RDONLY | O_DIRECTORY);
      const names: string[] = [];
      for (;;) {
        sys.scratch.reset();
        const buf = sys.scratch.alloc(64);
        const n = yield* sys.syscall(61, d, buf, 64);
        if (n <= 0) {
          eq(n, 0, 'end of directory');
          break;
        }
        const b = sys.scratch.read(buf, n);
        const v = new DataView(b.buffer, b.byteOffset);
        for (let off = 0; off < n; ) {
          const reclen = v.getUint16(off + 16, true);
          let end = off + 19;
          while (b[end] !== 0) end++;
          names.push(`${String.fromCharCode(...b.subarray(off + 19, end))}:${b[off + 18]}`);
          off += reclen;
        }
      }
      sys.log('names', names.join(' '));
      sys.scratch.reset();
      eq(yield* sys.syscall(61, d, sys.scratch.alloc(8), 8), 0, 'at the end even with a tiny buffer');
      yield* sys.lseek(d, 0, SEEK_SET);
      sys.scratch.reset();
      eq(yield* sys.syscall(61, d, sys.scratch.alloc(8), 8), -EINVAL, 'buffer too small for one entry');
      eq(yield* sys.syscall(61, 1, sys.scratch.alloc(64), 64), -ENOTDIR);
      yield* sys.close(d);
    });
    expect(r.kernel.notes.find((n) => n.key === 'names')?.value).toBe('.:4 ..:4 b:8 a:8 c:8 sub:4');
  });

  it('ftruncate shrinks and grows with zeros', () => {
    runOk(function* (sys) {
      const fd = yield* sys.open('/tmp/t', O_CREAT | O_RDWR);
      yield* sys.write(fd, 'abcdef');
      eq(yield* sys.syscall(46, fd, 2), 0);
      eq(yield* sys.syscall(46, fd, 4), 0);
      eq(Array.from((yield* sys.pread(fd, 10, 0)).data).join(','), '97,98,0,0');
      eq(yield* sys.syscall(46, fd, -1), -EINVAL);
      const ro = yield* sys.open('/tmp/t', O_RDONLY);
      eq(yield* sys.syscall(46, ro, 0), -EINVAL, 'not open for writing');
      yield* sys.close(ro);
      yield* sys.close(fd);
    });
  });
});

it('scenario files appear as regular files', () => {
  runOk(
    function* (sys) {
      const fd = yield* sys.open('/tmp/given', O_RDONLY);
      eq(text((yield* sys.read(fd, 100)).data), 'preset');
      yield* sys.close(fd);
    },
    {},
    { files: { '/tmp/given': 'preset' } },
  );
});
