// Filesystem syscalls over the in-memory VFS: openat, mkdirat, mknodat,
// unlinkat, newfstatat, fstat, faccessat(2), getcwd, chdir, fchdir,
// fchmod(at), ftruncate, getdents64. Paths resolve from the dirfd (or the
// cwd for AT_FDCWD) with the caller's effective credentials, and each
// failure is the errno Linux's namei/open code gives.
import {
  AT_EACCESS, AT_EMPTY_PATH, AT_FDCWD, AT_REMOVEDIR, AT_SYMLINK_FOLLOW, AT_SYMLINK_NOFOLLOW, O_ACCMODE, O_CLOEXEC,
  O_CREAT, O_DIRECTORY, O_EXCL, O_NOCTTY, O_NOFOLLOW, O_PATH, O_TRUNC, S_IFCHR, S_IFDIR, S_IFIFO, S_IFLNK, S_IFMT, S_IFREG, S_IFSOCK,
} from '../abi.ts';
import {
  EACCES, EBADF, EBUSY, EEXIST, EFAULT, EFBIG, EINVAL, EISDIR, ELOOP, ENOENT, ENOSPC, ENOTDIR, ENOTEMPTY, ENXIO, EPERM, ERANGE, ETXTBSY,
} from '../errno.ts';
import { HartContext } from '../hartcontext.ts';
import { openCharDevice } from '../devnull.ts';
import { sealRefusesTruncate } from '../memfd.ts';
import type { OpenFile, StatInfo } from '../file.ts';
import type { Kernel } from '../kernel.ts';
import { DirFile, direntType, Fifos, MAX_FILE_SIZE, PathFile, RegularFile, statInode, truncateInode } from '../regular.ts';
import type { SyscallGen, SyscallResult } from '../syscall.ts';
import type { Task } from '../task.ts';
import { fromLatin1, readCString, StructWriter } from '../uaccess.ts';
import { inGroup, Inode as InodeClass, MAY_EXEC, MAY_READ, MAY_WRITE, type Creds, type Inode, type Lookup } from '../vfs.ts';

/** Always set on files opened by open(2) on 64-bit Linux (force_o_largefile); F_GETFL shows it. */
export const O_LARGEFILE = 0o100000;
const S_ISVTX = 0o1000, S_ISGID = 0o2000, S_ISUID = 0o4000, S_IXGRP = 0o010;
const AT_NO_AUTOMOUNT = 0x800;
/** Size of struct stat (asm-generic, riscv64). */
export const STAT_SIZE = 128;

/** struct stat (asm-generic): the layout newfstatat/fstat copy out. */
export function encodeStat(s: StatInfo): Uint8Array {
  const w = new StructWriter(STAT_SIZE);
  w.u64(0, s.dev).u64(8, s.ino).u32(16, s.mode).u32(20, s.nlink).u32(24, s.uid).u32(28, s.gid);
  w.u64(32, s.rdev ?? 0);
  w.u64(48, s.size).i32(56, s.blksize).u64(64, Math.ceil(s.size / 4096) * 8);
  const times = s.times;
  if (times) {
    for (const [off, [sec, nsec]] of [[72, times.atime], [88, times.mtime], [104, times.ctime]] as const) w.u64(off, sec).u64(off + 8, nsec); // u64 writes a negative second count as two's complement
  }
  return w.bytes;
}

/** The directory a relative path starts from: the cwd for AT_FDCWD, else dirfd's directory. */
function startDir(t: Task, dirfd: number, path: string): Inode | number {
  if (path.startsWith('/') || dirfd === AT_FDCWD) return t.cwd;
  const f = t.fds.get(dirfd);
  if (!f) return -EBADF;
  if (!f.inode || !f.inode.isDir) return -ENOTDIR;
  return f.inode;
}

/** Resolves `path` from dirfd up to its last component (a final symbolic link followed if `follow`). */
export function resolvePath(t: Task, dirfd: number, path: string, follow = true, creds: Creds = t.creds): Lookup | number {
  if (path.length === 0) return -ENOENT;
  const start = startDir(t, dirfd, path);
  if (typeof start === 'number') return start;
  return t.kernel.vfs.resolve(path, start, creds, follow);
}

/** Reads the path argument and resolves it up to its last component. */
function resolveAt(t: Task, dirfd: number, pathAddr: number, creds: Creds = t.creds, follow = true): { path: string; l: Lookup } | number {
  const path = readCString(t.mm, pathAddr);
  if (typeof path === 'number') return path;
  const l = resolvePath(t, dirfd, path, follow, creds);
  return typeof l === 'number' ? l : { path, l };
}

/** Permission bits for open's access mode (may_open): O_TRUNC needs write too. */
function openMask(flags: number): number {
  const acc = flags & O_ACCMODE;
  let mask = 0;
  if (acc !== 1) mask |= MAY_READ; // O_RDONLY, O_RDWR (and 3, which Linux checks as both)
  if (acc !== 0) mask |= MAY_WRITE;
  if (flags & O_TRUNC) mask |= MAY_WRITE;
  return mask;
}

/** The open-file status flags kept in the description (creation flags and O_CLOEXEC are not). */
function statusFlags(flags: number): number {
  return (flags & ~(O_CREAT | O_EXCL | O_NOCTTY | O_TRUNC | O_CLOEXEC)) | O_LARGEFILE;
}

function installFile(t: Task, f: OpenFile, flags: number): number {
  const fd = t.fds.install(f, (flags & O_CLOEXEC) !== 0);
  if (fd < 0) f.put();
  return fd;
}

function* openFifo(t: Task, inode: Inode, flags: number, fifos: Fifos): SyscallGen {
  const r = yield* fifos.open(t, inode, flags & O_ACCMODE, flags);
  return typeof r === 'number' ? r : installFile(t, r, flags);
}

/** /proc/self/fd/N (or /proc/<tgid>/fd/N): the open file it names, or null if the path is not one. */
export function procFdFile(t: Task, path: string): OpenFile | null | number {
  const m = /^\/proc\/(self|thread-self|\d+)\/fd\/(\d+)$/.exec(path);
  if (!m) return null;
  const owner = m[1] === 'self' || m[1] === 'thread-self' ? t : t.kernel.tasks.get(Number(m[1]));
  if (!owner || owner.state === 'exited') return -ENOENT;
  return owner.fds.get(Number(m[2])) ?? -ENOENT;
}

/** The inode /proc/self/exe (or /proc/<pid>/exe, /proc/thread-self/exe) links to; -ENOENT for a task running no ELF image; null if `path` is not such a link. */
export function procExeInode(t: Task, path: string): Inode | number | null {
  const m = /^\/proc\/(self|thread-self|\d+)\/exe$/.exec(path);
  if (!m) return null;
  const owner = m[1] === 'self' || m[1] === 'thread-self' ? t : t.kernel.tasks.get(Number(m[1]));
  if (!owner || owner.state === 'exited' || !(owner.ctx instanceof HartContext)) return -ENOENT;
  return owner.ctx.vm.exeInode ?? -ENOENT;
}

/** A generated /proc file (k.procFiles): a read-only snapshot of its text, taken at open. */
function openProcFile(t: Task, path: string, flags: number): number | null {
  const gen = t.kernel.procFiles.get(path.replace(/^\/proc\/(self|\d+)\/net\//, '/proc/net/'));
  if (!gen) return null;
  if ((flags & O_ACCMODE) !== 0) return -EACCES;
  // /proc/PID/net shows that process's namespaces (/proc/net is /proc/self/net)
  const m = /^\/proc\/(\d+)\//.exec(path);
  const owner = m ? t.kernel.tasks.get(Number(m[1])) : t;
  if (!owner || owner.state === 'exited') return -ENOENT;
  // its parent is /proc, so fstatfs finds procfs
  const inode = new InodeClass(0, S_IFREG | 0o444, 0, 0, t.kernel.vfs.root.children!.get('proc'));
  // the text reads kernel state no footprint records (every socket, for /proc/net/unix): dependent with every step
  t.kernel.sched.recorder?.global('a generated /proc file');
  const bytes = fromLatin1(gen(owner));
  inode.data = new Uint8Array(bytes);
  inode.size = bytes.length;
  return installFile(t, t.kernel.files.open(new RegularFile(inode, path, t.kernel.vfs), statusFlags(flags), inode), flags);
}

/** open of /proc/self/exe: the executable itself, read-only (a file being executed refuses writers: deny_write_access). */
function openExe(t: Task, exe: Inode | number, flags: number): number {
  if (typeof exe === 'number') return exe;
  if ((flags & O_ACCMODE) !== 0) return -ETXTBSY;
  if (!t.kernel.vfs.permission(exe, t.creds, MAY_READ)) return -EACCES;
  const path = t.ctx instanceof HartContext ? t.ctx.vm.exePath : '';
  return installFile(t, t.kernel.files.open(new RegularFile(exe, path, t.kernel.vfs), statusFlags(flags), exe), flags);
}

/**
 * chown_ok/chgrp_ok: only root changes the owner; the owner may change the
 * group to its own (egid). -1 leaves either as it is. Applies the change
 * through `apply` when allowed.
 */
function chownOk(t: Task, st: { uid: number; gid: number }, uid: number, gid: number, apply: (uid: number, gid: number) => number): number {
  const newUid = uid === -1 || uid === 0xffffffff ? st.uid : uid >>> 0;
  const newGid = gid === -1 || gid === 0xffffffff ? st.gid : gid >>> 0;
  if (t.creds.euid !== 0) {
    if (newUid !== st.uid) return -EPERM;
    if (newGid !== st.gid && (t.creds.euid !== st.uid || newGid !== t.creds.egid)) return -EPERM;
  }
  return apply(newUid, newGid);
}

/** in_group_or_capable: may this caller keep set-group-ID on a file of group gid (its group, or root's CAP_FSETID)? */
function keepsSgid(c: Creds, gid: number): boolean {
  return c.euid === 0 || inGroup(c, gid);
}

/**
 * The mode a chown leaves (chown_common's ATTR_KILL_SUID and
 * setattr_should_drop_sgid, applied by notify_change), even when neither id
 * changes: a non-directory loses set-user-ID, and set-group-ID if its group
 * may execute it or the caller is neither in its (old) group nor root
 * (CAP_FSETID).
 */
function modeAfterChown(t: Task, st: { mode: number; gid: number }): number {
  if ((st.mode & S_IFMT) === S_IFDIR) return st.mode;
  let mode = st.mode & ~S_ISUID;
  if (mode & S_ISGID && (mode & S_IXGRP || !keepsSgid(t.creds, st.gid))) mode &= ~S_ISGID;
  return mode;
}

/** chown of an inode in the tree (chown_common always asks for ATTR_CTIME). */
function chownInode(t: Task, inode: Inode, st: { uid: number; gid: number; mode: number }, uid: number, gid: number): number {
  return chownOk(t, st, uid, gid, (u, g) => {
    inode.mode = modeAfterChown(t, st);
    inode.uid = u;
    inode.gid = g;
    t.kernel.vfs.changed(inode);
    return 0;
  });
}

/** chown of an open file: its inode in the tree, or what the file itself keeps (a socket's sockfs owner and mode). */
function chownFile(t: Task, f: OpenFile, uid: number, gid: number): number {
  if (f.inode) return chownInode(t, f.inode, statInode(f.inode), uid, gid);
  const st = f.ops.stat(f);
  return chownOk(t, st, uid, gid, (u, g) => {
    if (!f.ops.chown) return 0;
    const mode = modeAfterChown(t, st);
    if (mode !== st.mode) f.ops.chmod?.(f, mode);
    return f.ops.chown(f, u, g);
  });
}

function openat(t: Task, dirfd: number, pathAddr: number, flags: number, mode: number, fifos: Fifos): SyscallResult {
  const k = t.kernel;
  {
    const p = readCString(t.mm, pathAddr);
    if (typeof p === 'string' && p.startsWith('/proc/')) {
      const proc = openProcFile(t, p, flags);
      if (proc !== null) return proc;
      // opening a socket's /proc/self/fd entry is ENXIO, as opening the socket inode is (sock_no_open)
      const f = procFdFile(t, p);
      if (typeof f !== 'number' && f && f.ops.kind === 'socket') return -ENXIO;
      const exe = procExeInode(t, p);
      if (exe !== null) return openExe(t, exe, flags);
    }
  }
  // Since Linux 6.4 the combination is rejected outright (build_open_flags).
  if ((flags & (O_CREAT | O_DIRECTORY)) === (O_CREAT | O_DIRECTORY)) return -EINVAL;
  // O_NOFOLLOW, and O_CREAT|O_EXCL, look at a final symbolic link itself
  const follow = !(flags & O_NOFOLLOW) && (flags & (O_CREAT | O_EXCL)) !== (O_CREAT | O_EXCL);
  const r = resolveAt(t, dirfd, pathAddr, t.creds, follow);
  if (typeof r === 'number') return r;
  const { path, l } = r;
  if (flags & O_PATH) {
    // O_PATH keeps only O_DIRECTORY, O_NOFOLLOW and O_CLOEXEC; no permission on the file itself is needed.
    if (!l.inode) return -ENOENT;
    if (flags & O_DIRECTORY && !l.inode.isDir) return -ENOTDIR;
    const f = k.files.open(new PathFile(l.inode, path), O_PATH | (flags & O_DIRECTORY), l.inode);
    return installFile(t, f, flags);
  }
  let inode = l.inode;
  let created = false;
  if (!inode) {
    if (!(flags & O_CREAT)) return -ENOENT;
    if (path.endsWith('/')) return -EISDIR; // open("new/", O_CREAT)
    const made = k.vfs.create(l, S_IFREG | (mode & 0o7777 & ~t.umask), t.creds);
    if (typeof made === 'number') return made;
    inode = made;
    created = true;
  } else if ((flags & (O_CREAT | O_EXCL)) === (O_CREAT | O_EXCL)) {
    return -EEXIST;
  } else if (inode.type === S_IFLNK) {
    return -ELOOP; // O_NOFOLLOW on a symbolic link
  }
  const type = inode.type;
  if (flags & O_DIRECTORY && type !== S_IFDIR) return -ENOTDIR;
  const mask = openMask(flags);
  if (type === S_IFDIR && (mask & MAY_WRITE || flags & O_CREAT)) return -EISDIR;
  // A file created by this open is opened whatever its mode says (may_open is skipped for new files).
  if (!created && !k.vfs.permission(inode, t.creds, mask)) return -EACCES;
  switch (type) {
    case S_IFDIR:
      return installFile(t, k.files.open(new DirFile(inode, path), statusFlags(flags), inode), flags);
    case S_IFREG: {
      if (flags & O_TRUNC && !created) {
        if (inode.size > 0) truncateInode(inode, 0, k.memory);
        k.vfs.modified(inode); // handle_truncate's do_truncate
      }
      return installFile(t, k.files.open(new RegularFile(inode, path, k.vfs), statusFlags(flags), inode), flags);
    }
    case S_IFIFO:
      return openFifo(t, inode, flags, fifos);
    case S_IFSOCK:
      return -ENXIO; // sockets are reached with connect(2), never open(2) (sock_no_open)
    case S_IFCHR: {
      const ops = openCharDevice(inode, path);
      return typeof ops === 'number' ? ops : installFile(t, k.files.open(ops, statusFlags(flags), inode), flags);
    }
    default:
      return -ENXIO;
  }
}

function unlinkat(t: Task, dirfd: number, pathAddr: number, flags: number): number {
  if (flags & ~AT_REMOVEDIR) return -EINVAL;
  const r = resolveAt(t, dirfd, pathAddr, t.creds, false);
  if (typeof r === 'number') return r;
  const { l } = r;
  const rmdir = (flags & AT_REMOVEDIR) !== 0;
  // "." and ".." are not names that can be removed (do_rmdir / do_unlinkat on LAST_DOT/LAST_DOTDOT).
  if (l.name === '.' || l.name === '..') {
    if (!rmdir) return -EISDIR;
    return l.name === '.' ? -EINVAL : -ENOTEMPTY;
  }
  const inode = l.inode;
  if (!inode) return -ENOENT;
  const vfs = t.kernel.vfs;
  if (!vfs.permission(l.dir, t.creds, MAY_WRITE | MAY_EXEC)) return -EACCES;
  // Sticky directory (/tmp): only the file's or the directory's owner may remove it (check_sticky).
  const euid = t.creds.euid;
  if (l.dir.mode & S_ISVTX && euid !== 0 && euid !== inode.uid && euid !== l.dir.uid) return -EPERM;
  if (rmdir) {
    if (!inode.isDir) return -ENOTDIR;
    if (inode === vfs.root) return -EBUSY;
    if (inode.children!.size > 0) return -ENOTEMPTY;
  } else if (inode.isDir) {
    return -EISDIR;
  }
  // A socket inode loses only its name: a bound socket stays bound and connected peers are unaffected.
  vfs.unlink(l);
  return 0;
}

function mkdirat(t: Task, dirfd: number, pathAddr: number, mode: number): number {
  const r = resolveAt(t, dirfd, pathAddr, t.creds, false);
  if (typeof r === 'number') return r;
  if (r.l.inode) return -EEXIST;
  const made = t.kernel.vfs.create(r.l, S_IFDIR | (mode & (0o777 | S_ISVTX) & ~t.umask), t.creds);
  return typeof made === 'number' ? made : 0;
}

function mknodat(t: Task, dirfd: number, pathAddr: number, mode: number): number {
  let type = mode & S_IFMT;
  if (type === 0) type = S_IFREG;
  // Device nodes need CAP_MKNOD and this VFS has no devices; directories are mkdir's (may_mknod).
  if (type !== S_IFREG && type !== S_IFIFO && type !== S_IFSOCK) {
    return type === 0o020000 || type === 0o060000 || type === S_IFDIR ? -EPERM : -EINVAL;
  }
  const r = resolveAt(t, dirfd, pathAddr, t.creds, false);
  if (typeof r === 'number') return r;
  if (r.l.inode) return -EEXIST;
  const made = t.kernel.vfs.create(r.l, type | (mode & 0o7777 & ~t.umask), t.creds);
  return typeof made === 'number' ? made : 0;
}

/** The inode or open file a *at call with AT_EMPTY_PATH and "" names: dirfd itself (or the cwd). */
function emptyPathTarget(t: Task, dirfd: number): { inode: Inode | null; file: OpenFile | null } | number {
  if (dirfd === AT_FDCWD) return { inode: t.cwd, file: null };
  const f = t.fds.get(dirfd);
  if (!f) return -EBADF;
  return { inode: f.inode, file: f };
}

function newfstatat(t: Task, dirfd: number, pathAddr: number, buf: number, flags: number): number {
  if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH | AT_NO_AUTOMOUNT)) return -EINVAL;
  const info = statAt(t, dirfd, pathAddr, flags);
  if (typeof info === 'number') return info;
  return t.mm.write(buf, encodeStat(info)) ? 0 : -EFAULT;
}

/** What a *stat*at call names (AT_EMPTY_PATH: dirfd itself; AT_SYMLINK_NOFOLLOW: a final link as itself), or -errno. */
export function statAt(t: Task, dirfd: number, pathAddr: number, flags: number): StatInfo | number {
  const path = readCString(t.mm, pathAddr);
  if (typeof path === 'number') return path;
  let info: StatInfo;
  if (path.length === 0 && flags & AT_EMPTY_PATH) {
    const target = emptyPathTarget(t, dirfd);
    if (typeof target === 'number') return target;
    info = target.file ? target.file.ops.stat(target.file) : statInode(target.inode!);
  } else {
    const r = resolveAt(t, dirfd, pathAddr, t.creds, !(flags & AT_SYMLINK_NOFOLLOW));
    if (typeof r === 'number') return r;
    if (!r.l.inode) return -ENOENT;
    info = statInode(r.l.inode);
  }
  return info;
}

function faccessat(t: Task, dirfd: number, pathAddr: number, mode: number, flags: number): number {
  if (mode & ~7) return -EINVAL;
  if (flags & ~(AT_EACCESS | AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH)) return -EINVAL;
  // access(2) answers for the real ids, for the whole walk (do_faccessat overrides the creds).
  const c = t.creds;
  const creds: Creds = flags & AT_EACCESS ? c : { ...c, euid: c.uid, egid: c.gid };
  const path = readCString(t.mm, pathAddr);
  if (typeof path === 'number') return path;
  let inode: Inode;
  if (path.length === 0 && flags & AT_EMPTY_PATH) {
    const target = emptyPathTarget(t, dirfd);
    if (typeof target === 'number') return target;
    if (!target.inode) return 0; // pipes and sockets: anonymous inodes with owner rw
    inode = target.inode;
  } else {
    const r = resolveAt(t, dirfd, pathAddr, creds, !(flags & AT_SYMLINK_NOFOLLOW));
    if (typeof r === 'number') return r;
    if (!r.l.inode) return -ENOENT;
    inode = r.l.inode;
  }
  if (mode === 0) return 0; // F_OK
  return t.kernel.vfs.permission(inode, creds, mode) ? 0 : -EACCES;
}

function chmodInode(t: Task, inode: Inode, mode: number): number {
  const c = t.creds;
  if (c.euid !== 0 && c.euid !== inode.uid) return -EPERM;
  let bits = mode & 0o7777;
  // Outside the file's group, a non-root chmod silently drops set-group-ID (setattr_copy's in_group_or_capable).
  if (!keepsSgid(c, inode.gid)) bits &= ~S_ISGID;
  inode.mode = (inode.mode & S_IFMT) | bits;
  t.kernel.vfs.changed(inode);
  return 0;
}

/** getdents64: packs struct linux_dirent64 records (ino u64, off i64, reclen u16, type u8, name NUL, padded to 8). */
function getdents64(t: Task, fd: number, dirp: number, count: number): number {
  const f = t.fds.get(fd);
  if (!f || f.ops.kind === 'path') return -EBADF;
  if (!(f.ops instanceof DirFile)) return -ENOTDIR;
  const dir = f.ops;
  if (dir.inode.nlink === 0) return -ENOENT; // IS_DEADDIR
  t.kernel.vfs.accessed(dir.inode); // iterate_dir's file_accessed, whatever the entries
  const out: Uint8Array[] = [];
  let used = 0;
  let pos = f.pos;
  for (const e of dir.entries(f.pos)) {
    const reclen = (19 + e.name.length + 1 + 7) & ~7;
    if (used + reclen > count) break;
    const w = new StructWriter(reclen);
    w.u64(0, e.inode.ino).u64(8, pos + 1).u16(16, reclen);
    w.bytes[18] = direntType(e.inode);
    for (let i = 0; i < e.name.length; i++) w.bytes[19 + i] = e.name.charCodeAt(i) & 0xff;
    out.push(w.bytes);
    used += reclen;
    pos++;
  }
  if (out.length === 0 && dir.entries(f.pos).length > 0) return -EINVAL; // buffer too small for one entry
  const bytes = new Uint8Array(used);
  let off = 0;
  for (const b of out) {
    bytes.set(b, off);
    off += b.length;
  }
  if (used > 0 && !t.mm.write(dirp, bytes)) return -EFAULT;
  f.pos = pos;
  return used;
}

/** symlinkat: a new symbolic link at linkpath holding `target` (never followed here; mode 0777). */
function symlinkat(t: Task, targetAddr: number, dirfd: number, pathAddr: number): number {
  const target = readCString(t.mm, targetAddr);
  if (typeof target === 'number') return target;
  if (target.length === 0) return -ENOENT;
  const r = resolveAt(t, dirfd, pathAddr, t.creds, false);
  if (typeof r === 'number') return r;
  if (r.l.inode) return -EEXIST;
  const made = t.kernel.vfs.create(r.l, S_IFLNK | 0o777, t.creds);
  if (typeof made === 'number') return made;
  made.target = target;
  made.size = target.length;
  return 0;
}

/** Write and search permission on a directory that gains or loses an entry (may_create / may_delete). */
function mayChange(t: Task, l: Lookup): number {
  if (l.dir.nlink === 0) return -ENOENT;
  return t.kernel.vfs.permission(l.dir, t.creds, MAY_WRITE | MAY_EXEC) ? 0 : -EACCES;
}

/** linkat: a new name for an existing inode (a bound socket is reached by it too); directories cannot be linked. */
function linkat(t: Task, olddirfd: number, oldAddr: number, newdirfd: number, newAddr: number, flags: number): number {
  if (flags & ~(AT_SYMLINK_FOLLOW | AT_EMPTY_PATH)) return -EINVAL;
  const from = resolveAt(t, olddirfd, oldAddr, t.creds, (flags & AT_SYMLINK_FOLLOW) !== 0);
  if (typeof from === 'number') return from;
  const to = resolveAt(t, newdirfd, newAddr, t.creds, false);
  if (typeof to === 'number') return to;
  const inode = from.l.inode;
  if (!inode) return -ENOENT;
  if (to.l.inode) return -EEXIST;
  const err = mayChange(t, to.l);
  if (err) return err;
  if (inode.isDir) return -EPERM;
  if (inode.nlink === 0) return -ENOENT; // an unlinked file cannot get a name back
  t.kernel.vfs.link(to.l, inode);
  return 0;
}

const RENAME_NOREPLACE = 1, RENAME_EXCHANGE = 2, RENAME_WHITEOUT = 4;

/** renameat2 (glibc's rename and renameat): vfs_rename's checks, then the move (or the swap). */
function renameat2(t: Task, olddirfd: number, oldAddr: number, newdirfd: number, newAddr: number, flags: number): number {
  if (flags & ~(RENAME_NOREPLACE | RENAME_EXCHANGE | RENAME_WHITEOUT)) return -EINVAL;
  if (flags & RENAME_NOREPLACE && flags & RENAME_EXCHANGE) return -EINVAL;
  if (flags & RENAME_WHITEOUT) return -EINVAL; // whiteouts belong to overlay filesystems
  const from = resolveAt(t, olddirfd, oldAddr, t.creds, false);
  if (typeof from === 'number') return from;
  const to = resolveAt(t, newdirfd, newAddr, t.creds, false);
  if (typeof to === 'number') return to;
  const a = from.l, b = to.l;
  if (a.name === '.' || a.name === '..' || b.name === '.' || b.name === '..') return -EBUSY;
  const src = a.inode;
  if (!src) return -ENOENT;
  if (flags & RENAME_EXCHANGE && !b.inode) return -ENOENT;
  if (flags & RENAME_NOREPLACE && b.inode) return -EEXIST;
  let err = mayChange(t, a);
  if (!err) err = mayChange(t, b);
  if (err) return err;
  const vfs = t.kernel.vfs;
  // Neither may be moved under itself.
  for (const [x, into] of [[src, b.dir], ...(flags & RENAME_EXCHANGE ? [[b.inode!, a.dir]] : [])] as [Inode, Inode][]) {
    if (!x.isDir) continue;
    for (let d = into; ; d = d.parent) {
      if (d === x) return -EINVAL;
      if (d === vfs.root) break;
    }
  }
  if (flags & RENAME_EXCHANGE) {
    vfs.exchange(a, b);
    return 0;
  }
  const dst = b.inode;
  if (dst === src) return 0; // two names of one inode: nothing happens
  if (dst) {
    if (src.isDir && !dst.isDir) return -ENOTDIR;
    if (!src.isDir && dst.isDir) return -EISDIR;
    if (dst.isDir && dst.children!.size > 0) return -ENOTEMPTY;
  }
  vfs.rename(a, b);
  return 0;
}

export function registerFs(k: Kernel): void {
  const d = k.table.define.bind(k.table);
  const fifos = new Fifos(k);

  d(56, 'openat', ['fd', 'path', 'hex', 'oct'], (t, [dirfd, path, flags, mode]) => openat(t, dirfd, path, flags, mode, fifos));
  d(35, 'unlinkat', ['fd', 'path', 'hex'], (t, [dirfd, path, flags]) => unlinkat(t, dirfd, path, flags));
  d(34, 'mkdirat', ['fd', 'path', 'oct'], (t, [dirfd, path, mode]) => mkdirat(t, dirfd, path, mode));
  d(33, 'mknodat', ['fd', 'path', 'oct', 'u64'], (t, [dirfd, path, mode]) => mknodat(t, dirfd, path, mode));
  d(79, 'newfstatat', ['fd', 'path', 'ptr', 'hex'], (t, [dirfd, path, buf, flags]) => newfstatat(t, dirfd, path, buf, flags));
  d(80, 'fstat', ['fd', 'ptr'], (t, [fd, buf]) => {
    const f = t.fds.get(fd);
    if (!f) return -EBADF;
    return t.mm.write(buf, encodeStat(f.ops.stat(f))) ? 0 : -EFAULT;
  });
  d(48, 'faccessat', ['fd', 'path', 'int'], (t, [dirfd, path, mode]) => faccessat(t, dirfd, path, mode, 0));
  d(439, 'faccessat2', ['fd', 'path', 'int', 'hex'], (t, [dirfd, path, mode, flags]) => faccessat(t, dirfd, path, mode, flags));
  d(17, 'getcwd', ['ptr', 'size'], (t, [buf, size]) => {
    if (t.cwd.nlink === 0) return -ENOENT; // the cwd was removed
    const path = k.vfs.pathOf(t.cwd);
    const len = path.length + 1;
    if (size < len) return -ERANGE;
    const bytes = new Uint8Array(len);
    for (let i = 0; i < path.length; i++) bytes[i] = path.charCodeAt(i) & 0xff;
    return t.mm.write(buf, bytes) ? len : -EFAULT;
  });
  d(49, 'chdir', ['path'], (t, [path]) => {
    const r = resolveAt(t, AT_FDCWD, path);
    if (typeof r === 'number') return r;
    const inode = r.l.inode;
    if (!inode) return -ENOENT;
    if (!inode.isDir) return -ENOTDIR;
    if (!k.vfs.permission(inode, t.creds, MAY_EXEC)) return -EACCES;
    t.cwd = inode;
    return 0;
  });
  d(50, 'fchdir', ['fd'], (t, [fd]) => {
    const f = t.fds.get(fd);
    if (!f) return -EBADF;
    if (!f.inode || !f.inode.isDir) return -ENOTDIR;
    if (!k.vfs.permission(f.inode, t.creds, MAY_EXEC)) return -EACCES;
    t.cwd = f.inode;
    return 0;
  });
  d(52, 'fchmod', ['fd', 'oct'], (t, [fd, mode]) => {
    const f = t.fds.get(fd);
    if (!f || f.ops.kind === 'path') return -EBADF;
    // Files without a VFS inode: a socket keeps its inode mode (fstat, and bind's mode);
    // a pipe's anonymous inode nobody else can see: accept and forget.
    if (!f.inode) {
      if (!f.ops.chmod) return 0;
      // inode_owner_or_capable: the owner or root (CAP_FOWNER), also for a socket received over SCM_RIGHTS
      const st = f.ops.stat(f);
      if (t.creds.euid !== 0 && t.creds.euid !== st.uid) return -EPERM;
      // sockfs_setattr -> simple_setattr -> setattr_copy: set-group-ID dropped as for any inode
      return f.ops.chmod(f, keepsSgid(t.creds, st.gid) ? mode : mode & ~S_ISGID);
    }
    return chmodInode(t, f.inode, mode);
  });
  d(55, 'fchown', ['fd', 'int', 'int'], (t, [fd, uid, gid]) => {
    const f = t.fds.get(fd);
    if (!f || f.ops.kind === 'path') return -EBADF;
    return chownFile(t, f, uid, gid);
  });
  // fchownat: a path (AT_SYMLINK_NOFOLLOW: the link itself; AT_EMPTY_PATH: the dirfd's file)
  d(54, 'fchownat', ['fd', 'path', 'int', 'int', 'hex'], (t, [dirfd, path, uid, gid, flags]) => {
    if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH)) return -EINVAL;
    const p = readCString(t.mm, path);
    if (typeof p === 'number') return p;
    if (p === '' && flags & AT_EMPTY_PATH) {
      const target = emptyPathTarget(t, dirfd);
      if (typeof target === 'number') return target;
      return target.file ? chownFile(t, target.file, uid, gid) : chownInode(t, target.inode!, statInode(target.inode!), uid, gid);
    }
    const r = resolveAt(t, dirfd, path, t.creds, !(flags & AT_SYMLINK_NOFOLLOW));
    if (typeof r === 'number') return r;
    if (!r.l.inode) return -ENOENT;
    return chownInode(t, r.l.inode, statInode(r.l.inode), uid, gid);
  });
  // truncate: ftruncate by path, with write permission checked on the file (vfs_truncate)
  d(45, 'truncate', ['path', 'long'], (t, [path, length]) => {
    if (length < 0) return -EINVAL;
    const r = resolveAt(t, AT_FDCWD, path);
    if (typeof r === 'number') return r;
    const inode = r.l.inode;
    if (!inode) return -ENOENT;
    if (inode.isDir) return -EISDIR;
    if (inode.type !== S_IFREG) return -EINVAL;
    if (!t.kernel.vfs.permission(inode, t.creds, MAY_WRITE)) return -EACCES;
    if (length > MAX_FILE_SIZE) return -EFBIG;
    if (!truncateInode(inode, length, t.kernel.memory)) return -ENOSPC;
    t.kernel.vfs.modified(inode);
    return 0;
  });
  d(53, 'fchmodat', ['fd', 'path', 'oct'], (t, [dirfd, path, mode]) => {
    const r = resolveAt(t, dirfd, path);
    if (typeof r === 'number') return r;
    if (!r.l.inode) return -ENOENT;
    return chmodInode(t, r.l.inode, mode);
  });
  d(46, 'ftruncate', ['fd', 'long'], (t, [fd, length]) => {
    const f = t.fds.get(fd);
    if (!f || f.ops.kind === 'path') return -EBADF;
    if (length < 0) return -EINVAL;
    // Not open for writing, or not a regular file: EINVAL (do_ftruncate), even with O_APPEND set.
    if (!(f.ops instanceof RegularFile) || !f.writable) return -EINVAL;
    if (length > MAX_FILE_SIZE) return -EFBIG;
    if (f.ops.inode.seals !== null && sealRefusesTruncate(f.ops.inode, length)) return -EPERM;
    // Growth is real memory here (no sparse files): past the run's budget it is ENOSPC, as a full tmpfs.
    if (!truncateInode(f.ops.inode, length, t.kernel.memory)) return -ENOSPC;
    t.kernel.vfs.modified(f.ops.inode); // do_truncate: ATTR_MTIME | ATTR_CTIME, even at the same size
    return 0;
  });
  d(61, 'getdents64', ['fd', 'ptr', 'uint'], (t, [fd, dirp, count]) => getdents64(t, fd, dirp, count));
  d(36, 'symlinkat', ['path', 'fd', 'path'], (t, [target, dirfd, path]) => symlinkat(t, target, dirfd, path));
  d(37, 'linkat', ['fd', 'path', 'fd', 'path', 'hex'], (t, [od, op, nd, np, flags]) => linkat(t, od, op, nd, np, flags));
  d(276, 'renameat2', ['fd', 'path', 'fd', 'path', 'hex'], (t, [od, op, nd, np, flags]) => renameat2(t, od, op, nd, np, flags));
}
