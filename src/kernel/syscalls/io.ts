// Generic fd I/O: read, write, readv, writev, pread64, pwrite64, lseek,
// close, dup, dup3, fcntl, ioctl. Each checks the fd and the user buffer,
// then hands the transfer to the file's ops.
import { F_DUPFD, F_DUPFD_CLOEXEC, F_GETFD, F_GETFL, F_GETOWN, F_GETSIG, F_SETFD, F_SETFL, F_SETOWN, F_SETSIG, FD_CLOEXEC, FIOASYNC, FIOCLEX, FIONBIO, FIONCLEX, O_ASYNC, O_CLOEXEC, O_NONBLOCK, SETFL_MASK } from '../abi.ts';
import { EBADF, EINVAL, ENOTTY, ESPIPE, EFAULT, EISDIR } from '../errno.ts';
import { fdget } from '../fdget.ts';
import { F_ADD_SEALS, F_GET_SEALS, memfdFcntl } from '../memfd.ts';
import { F_GETOWN_EX, F_SETOWN_EX, getOwner, getOwnerEx, setOwner, setOwnerEx, setSigioSignal } from '../fown.ts';
import type { OpenFile } from '../file.ts';
import type { Kernel } from '../kernel.ts';
import type { SyscallResult } from '../syscall.ts';
import type { Task } from '../task.ts';
import { getI32 } from '../uaccess.ts';
import { UIO_MAXIOV, UserIO } from '../userio.ts';

/** close_range flags (linux/close_range.h) */
const CLOSE_RANGE_UNSHARE = 1 << 1, CLOSE_RANGE_CLOEXEC = 1 << 2;

export function fileFor(t: Task, fd: number): OpenFile | undefined {
  return t.fds.get(fd);
}

function doRead(t: Task, f: OpenFile, io: UserIO | number): SyscallResult {
  if (typeof io === 'number') return io;
  if (!f.ops.read) return f.ops.kind === 'dir' ? -EISDIR : -EINVAL;
  return f.ops.read(t, f, io);
}

function doWrite(t: Task, f: OpenFile, io: UserIO | number): SyscallResult {
  if (typeof io === 'number') return io;
  if (!f.ops.write) return -EINVAL;
  return f.ops.write(t, f, io);
}


/** ->fasync: the file starts or stops signalling its O_ASYNC owner, through fd (si_fd); the O_ASYNC bit follows */
function setFasync(f: OpenFile, fd: number, on: boolean): void {
  f.asyncFd = fd;
  f.ops.fasync!(f, on);
  f.flags = on ? f.flags | O_ASYNC : f.flags & ~O_ASYNC;
}

export function registerIo(k: Kernel): void {
  const d = k.table.define.bind(k.table);

  d(63, 'read', ['fd', 'bufOut', 'size'], (t, [fd, buf, len]) => {
    const f = fdget(t, fd);
    if (!f || !f.readable) return -EBADF;
    return doRead(t, f, UserIO.buffer(t.mm, buf, len, t.io));
  });
  d(64, 'write', ['fd', 'bufIn', 'size'], (t, [fd, buf, len]) => {
    const f = fdget(t, fd);
    if (!f || !f.writable) return -EBADF;
    return doWrite(t, f, UserIO.buffer(t.mm, buf, len, t.io));
  });
  // vfs_readv/vfs_writev: more than UIO_MAXIOV iovecs is EINVAL (sendmsg's EMSGSIZE is the msghdr's rule),
  // and nothing to transfer returns 0 before the file sees it: a zero-length writev sends no empty
  // datagram, unlike write(fd, buf, 0).
  d(65, 'readv', ['fd', 'ptr', 'int'], (t, [fd, iov, cnt]) => {
    const f = fdget(t, fd);
    if (!f || !f.readable) return -EBADF;
    if (cnt > UIO_MAXIOV) return -EINVAL;
    const io = UserIO.iovec(t.mm, iov, cnt);
    return typeof io !== 'number' && io.total === 0 ? 0 : doRead(t, f, io);
  });
  d(66, 'writev', ['fd', 'ptr', 'int'], (t, [fd, iov, cnt]) => {
    const f = fdget(t, fd);
    if (!f || !f.writable) return -EBADF;
    if (cnt > UIO_MAXIOV) return -EINVAL;
    const io = UserIO.iovec(t.mm, iov, cnt);
    return typeof io !== 'number' && io.total === 0 ? 0 : doWrite(t, f, io);
  });
  d(67, 'pread64', ['fd', 'bufOut', 'size', 'long'], (t, [fd, buf, len, pos]) => {
    const f = fdget(t, fd);
    if (!f || !f.readable) return -EBADF;
    if (pos < 0) return -EINVAL;
    if (!f.ops.pread) return -ESPIPE;
    const io = UserIO.buffer(t.mm, buf, len);
    return typeof io === 'number' ? io : f.ops.pread(t, f, io, pos);
  });
  d(68, 'pwrite64', ['fd', 'bufIn', 'size', 'long'], (t, [fd, buf, len, pos]) => {
    const f = fdget(t, fd);
    if (!f || !f.writable) return -EBADF;
    if (pos < 0) return -EINVAL;
    if (!f.ops.pwrite) return -ESPIPE;
    const io = UserIO.buffer(t.mm, buf, len);
    return typeof io === 'number' ? io : f.ops.pwrite(t, f, io, pos);
  });
  d(62, 'lseek', ['fd', 'long', 'int'], (t, [fd, off, whence]) => {
    const f = t.fds.get(fd);
    if (!f) return -EBADF;
    if (!f.ops.llseek) return -ESPIPE;
    return f.ops.llseek(f, off, whence);
  });
  d(57, 'close', ['fd'], (t, [fd]) => {
    const f = t.fds.remove(fd);
    if (!f) return -EBADF;
    f.put();
    return 0;
  });
  // close_range: every open fd in [first, last] closed, or with CLOSE_RANGE_CLOEXEC marked close-on-exec;
  // CLOSE_RANGE_UNSHARE gives the caller its own fd table first (as unshare(CLONE_FILES) would)
  d(436, 'close_range', ['uint', 'uint', 'hex'], (t, [first, last, flags]) => {
    if (flags & ~(CLOSE_RANGE_UNSHARE | CLOSE_RANGE_CLOEXEC)) return -EINVAL;
    if (first > last) return -EINVAL;
    if (flags & CLOSE_RANGE_UNSHARE && t.fds.users > 1) {
      t.fds.users--;
      t.fds = t.fds.clone();
    }
    const top = Math.min(last, t.fds.highestFd);
    for (let fd = first; fd <= top; fd++) {
      if (flags & CLOSE_RANGE_CLOEXEC) {
        if (t.fds.get(fd)) t.fds.setCloexec(fd, true);
      } else t.fds.remove(fd)?.put();
    }
    return 0;
  });
  d(23, 'dup', ['fd'], (t, [fd]) => {
    const f = t.fds.get(fd);
    if (!f) return -EBADF;
    const r = t.fds.install(k.bug('dup-no-ref') ? f : f.get(), false);
    if (r < 0) f.put();
    return r;
  });
  d(24, 'dup3', ['fd', 'fd', 'hex'], (t, [oldfd, newfd, flags]) => {
    if (flags & ~O_CLOEXEC) return -EINVAL;
    if (oldfd === newfd) return -EINVAL;
    const f = t.fds.get(oldfd);
    if (!f) return -EBADF;
    if (newfd < 0 || newfd >= t.fds.limit) return -EBADF;
    const old = t.fds.installAt(newfd, f.get(), (flags & O_CLOEXEC) !== 0);
    old?.put();
    return newfd;
  });
  d(25, 'fcntl', ['fd', 'int', 'long'], (t, [fd, cmd, arg]) => {
    const f = t.fds.get(fd);
    if (!f) return -EBADF;
    switch (cmd) {
      case F_DUPFD:
      case F_DUPFD_CLOEXEC: {
        const min = arg;
        if (min < 0 || min >= t.fds.limit) return -EINVAL;
        const r = t.fds.install(f.get(), cmd === F_DUPFD_CLOEXEC, min);
        if (r < 0) f.put();
        return r;
      }
      case F_GETFD:
        return t.fds.getCloexec(fd) ? FD_CLOEXEC : 0;
      case F_SETFD:
        return t.fds.setCloexec(fd, (arg & FD_CLOEXEC) !== 0);
      case F_GETFL:
        return f.flags;
      case F_SETFL:
        // setfl: O_ASYNC changes only through the file's ->fasync (fasync_helper sets the bit), which
        // remembers the fd for si_fd; a file without one (a regular file) keeps it as it was
        if ((arg ^ f.flags) & O_ASYNC && f.ops.fasync) setFasync(f, fd, (arg & O_ASYNC) !== 0);
        f.flags = (f.flags & ~SETFL_MASK) | (arg & SETFL_MASK);
        return 0;
      case F_SETSIG:
        return setSigioSignal(f, arg);
      case F_GETSIG:
        return f.sigioSignal;
      case F_ADD_SEALS:
      case F_GET_SEALS:
        return memfdFcntl(f, cmd, arg);
      case F_GETOWN:
        return getOwner(t, f);
      case F_SETOWN:
        return setOwner(t, f, arg | 0);
      case F_GETOWN_EX:
        return getOwnerEx(t, f, arg);
      case F_SETOWN_EX:
        return setOwnerEx(t, f, arg);
      default:
        return -EINVAL;
    }
  });
  d(29, 'ioctl', ['fd', 'hex', 'ptr'], (t, [fd, req, arg]) => {
    const f = fdget(t, fd);
    if (!f) return -EBADF;
    // do_vfs_ioctl: FIOCLEX/FIONCLEX set and clear the fd's close-on-exec flag, on any file.
    if (req === FIOCLEX || req === FIONCLEX) return t.fds.setCloexec(fd, req === FIOCLEX);
    if (req === FIONBIO) {
      const on = getI32(t.mm, arg);
      if (on === null) return -EFAULT;
      f.flags = on ? f.flags | O_NONBLOCK : f.flags & ~O_NONBLOCK;
      return 0;
    }
    if (req === FIOASYNC) {
      // ioctl_fioasync: like F_SETFL's O_ASYNC, but ENOTTY for a file that cannot signal (no ->fasync)
      const on = getI32(t.mm, arg);
      if (on === null) return -EFAULT;
      const flag = on ? O_ASYNC : 0;
      if (!((flag ^ f.flags) & O_ASYNC)) return 0;
      if (!f.ops.fasync) return -ENOTTY;
      setFasync(f, fd, on !== 0);
      return 0;
    }
    if (!f.ops.ioctl) return -ENOTTY;
    return f.ops.ioctl(t, f, req, arg);
  });
}
