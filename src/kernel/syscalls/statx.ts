// statx(2) (fs/stat.c do_statx, cp_statx) and utimensat(2) (fs/utimes.c):
// the stat of a path or file in struct statx, with the birth time that
// tmpfs keeps; and setting a file's access and modification times.
import { AT_EMPTY_PATH, AT_FDCWD, AT_SYMLINK_NOFOLLOW } from '../abi.ts';
import { EACCES, EBADF, EFAULT, EINVAL, ENOENT, EPERM } from '../errno.ts';
import type { Kernel } from '../kernel.ts';
import type { Task } from '../task.ts';
import { getI64, readCString, StructWriter } from '../uaccess.ts';
import { MAY_WRITE, type Inode, type Timespec } from '../vfs.ts';
import { resolvePath, statAt } from './fs.ts';

const AT_NO_AUTOMOUNT = 0x800, AT_STATX_SYNC_TYPE = 0x6000;
/** stx_mask bits: the basic stats (type, mode, nlink, uid, gid, atime, mtime, ctime, ino, size, blocks), the birth time, the mount id */
const STATX_BASIC_STATS = 0x7ff, STATX_BTIME = 0x800, STATX_MNT_ID = 0x1000, STATX__RESERVED = 0x80000000;
const STATX_SIZE = 256;
/** the tree's mount id (a number /proc/self/mountinfo would show; one mount here) */
const TREE_MNT_ID = 1;

const UTIME_NOW = 0x3fffffff, UTIME_OMIT = 0x3ffffffe;

export function registerStatx(k: Kernel): void {
  k.table.define(291, 'statx', ['fd', 'path', 'hex', 'hex', 'ptr'], (t, [dirfd, path, flags, mask, buf]) => {
    if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH | AT_NO_AUTOMOUNT | AT_STATX_SYNC_TYPE)) return -EINVAL;
    if ((flags & AT_STATX_SYNC_TYPE) === AT_STATX_SYNC_TYPE) return -EINVAL;
    if (mask & STATX__RESERVED) return -EINVAL;
    const s = statAt(t, dirfd, path, flags);
    if (typeof s === 'number') return s;
    const w = new StructWriter(STATX_SIZE);
    // generic_fillattr fills the basic stats whatever was asked; tmpfs adds its birth time
    const result = STATX_BASIC_STATS | STATX_MNT_ID | (s.times ? STATX_BTIME : 0);
    w.u32(0, result).u32(4, s.blksize).u32(16, s.nlink).u32(20, s.uid).u32(24, s.gid).u16(28, s.mode);
    w.u64(32, s.ino).u64(40, s.size).u64(48, Math.ceil(s.size / 4096) * 8);
    const z: Timespec = [0, 0];
    const times = s.times ?? { atime: z, mtime: z, ctime: z, btime: z };
    // struct statx_timestamp { __s64 tv_sec; __u32 tv_nsec; __s32 __reserved; }
    for (const [off, [sec, nsec]] of [[64, times.atime], [80, times.btime], [96, times.ctime], [112, times.mtime]] as const) {
      w.u64(off, sec).u32(off + 8, nsec);
    }
    w.u32(136, Math.floor(s.dev / 256)).u32(140, s.dev % 256).u64(144, TREE_MNT_ID);
    return t.mm.write(buf, w.bytes) ? 0 : -EFAULT;
  });

  k.table.define(88, 'utimensat', ['fd', 'path', 'ptr', 'hex'], (t, [dirfd, path, times, flags]) => utimensat(t, dirfd, path, times, flags));
}

/** One timespec of utimensat's array: UTIME_NOW, UTIME_OMIT, or a time whose nanoseconds are in range (nsec_valid). */
function readUtime(t: Task, addr: number): Timespec | 'now' | 'omit' | number {
  const sec = getI64(t.mm, addr), nsec = getI64(t.mm, addr + 8);
  if (sec === null || nsec === null) return -EFAULT;
  if (nsec === UTIME_NOW) return 'now';
  if (nsec === UTIME_OMIT) return 'omit';
  if (nsec < 0 || nsec >= 1e9) return -EINVAL;
  return [sec, nsec];
}

/** do_utimes: a path (or, with a NULL path, dirfd's file), and the times to set; NULL times is "now" for both. */
function utimensat(t: Task, dirfd: number, pathAddr: number, timesAddr: number, flags: number): number {
  const k = t.kernel;
  let a: Timespec | 'now' | 'omit' = 'now', m: Timespec | 'now' | 'omit' = 'now';
  if (timesAddr) {
    const ra = readUtime(t, timesAddr), rm = readUtime(t, timesAddr + 16);
    if (typeof ra === 'number') return ra;
    if (typeof rm === 'number') return rm;
    a = ra;
    m = rm;
    if (a === 'omit' && m === 'omit') return 0;
  }
  if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH)) return -EINVAL;
  let inode: Inode | null;
  if (pathAddr === 0 && dirfd !== AT_FDCWD) {
    // futimens: the file dirfd is open on (do_utimes_fd takes no flags)
    if (flags) return -EINVAL;
    const f = t.fds.get(dirfd);
    if (!f) return -EBADF;
    inode = f.inode;
    if (!inode) return 0; // a pipe or socket: their inodes' times are not kept here
  } else {
    const path = readCString(t.mm, pathAddr); // NULL with AT_FDCWD: EFAULT (getname)
    if (typeof path === 'number') return path;
    if (path.length === 0) {
      if (!(flags & AT_EMPTY_PATH)) return -ENOENT;
      const f = dirfd === AT_FDCWD ? null : t.fds.get(dirfd);
      if (dirfd !== AT_FDCWD && !f) return -EBADF;
      inode = f ? f.inode : t.cwd;
      if (!inode) return 0;
    } else {
      const l = resolvePath(t, dirfd, path, !(flags & AT_SYMLINK_NOFOLLOW));
      if (typeof l === 'number') return l;
      if (!l.inode) return -ENOENT;
      inode = l.inode;
    }
  }
  // vfs_utimes / inode_change_ok: setting explicit times needs the owner (or CAP_FOWNER); "now" also write permission
  const owner = t.creds.euid === 0 || t.creds.euid === inode.uid;
  const explicit = (a !== 'now' && a !== 'omit') || (m !== 'now' && m !== 'omit');
  if (!owner) {
    if (explicit) return -EPERM;
    if (!k.vfs.permission(inode, t.creds, MAY_WRITE)) return -EACCES;
  }
  const now = k.vfs.now();
  if (a !== 'omit') inode.atime = a === 'now' ? now : a;
  if (m !== 'omit') inode.mtime = m === 'now' ? now : m;
  inode.ctime = now;
  return 0;
}
