// memfd_create (mm/memfd.c): an anonymous regular file, in no directory, to
// write, map, pass over SCM_RIGHTS and seal. /proc/self/fd shows it as
// "/memfd:NAME (deleted)". Seals (F_ADD_SEALS, F_GET_SEALS) need
// MFD_ALLOW_SEALING, and are kept on the inode: F_SEAL_SEAL ends the adding,
// F_SEAL_SHRINK and F_SEAL_GROW refuse ftruncate (and F_SEAL_GROW a write)
// that changes the size that way, F_SEAL_WRITE refuses writes (EPERM).
// A sealed file's writable shared mappings are not tracked: F_SEAL_WRITE is
// not refused (EBUSY) while one exists.
import { O_RDWR } from './abi.ts';
import { EFAULT, EINVAL, EPERM } from './errno.ts';
import type { Kernel } from './kernel.ts';
import type { OpenFile } from './file.ts';
import { RegularFile } from './regular.ts';
import type { Task } from './task.ts';
import { readCString } from './uaccess.ts';
import type { Inode } from './vfs.ts';

const MFD_CLOEXEC = 1, MFD_ALLOW_SEALING = 2, MFD_HUGETLB = 4, MFD_NOEXEC_SEAL = 8, MFD_EXEC = 0x10;
export const F_SEAL_SEAL = 1, F_SEAL_SHRINK = 2, F_SEAL_GROW = 4, F_SEAL_WRITE = 8, F_SEAL_FUTURE_WRITE = 0x10, F_SEAL_EXEC = 0x20;
const ALL_SEALS = F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_FUTURE_WRITE | F_SEAL_EXEC;
export const F_ADD_SEALS = 1033, F_GET_SEALS = 1034;
/** NAME_MAX - strlen("memfd:") */
const MFD_NAME_MAX = 249;

/** Would writing n bytes at pos break a seal? */
export function sealRefusesWrite(inode: Inode, pos: number, n: number): boolean {
  const s = inode.seals ?? 0;
  return (s & (F_SEAL_WRITE | F_SEAL_FUTURE_WRITE)) !== 0 || ((s & F_SEAL_GROW) !== 0 && pos + n > inode.size);
}

/** Would ftruncate to `length` break a seal? */
export function sealRefusesTruncate(inode: Inode, length: number): boolean {
  const s = inode.seals ?? 0;
  return ((s & F_SEAL_SHRINK) !== 0 && length < inode.size) || ((s & F_SEAL_GROW) !== 0 && length > inode.size);
}

/** fcntl F_ADD_SEALS / F_GET_SEALS (memfd_fcntl): EINVAL for a file that is not a memfd. */
export function memfdFcntl(f: OpenFile, cmd: number, arg: number): number {
  const inode = f.ops instanceof RegularFile ? f.ops.inode : null;
  if (!inode || inode.seals === null) return -EINVAL;
  if (cmd === F_GET_SEALS) return inode.seals;
  // memfd_add_seals
  if (!f.writable) return -EPERM;
  if (arg & ~ALL_SEALS) return -EINVAL;
  if (inode.seals & F_SEAL_SEAL) return -EPERM;
  inode.seals |= arg;
  return 0;
}

export function registerMemfd(k: Kernel): void {
  k.table.define(279, 'memfd_create', ['path', 'hex'], (t: Task, [nameAddr, flags]) => {
    if (flags & ~(MFD_CLOEXEC | MFD_ALLOW_SEALING | MFD_HUGETLB | MFD_NOEXEC_SEAL | MFD_EXEC)) return -EINVAL;
    if (flags & MFD_HUGETLB) return -EINVAL; // no hugetlbfs here
    if ((flags & (MFD_EXEC | MFD_NOEXEC_SEAL)) === (MFD_EXEC | MFD_NOEXEC_SEAL)) return -EINVAL;
    const name = readCString(t.mm, nameAddr, MFD_NAME_MAX + 1);
    if (typeof name === 'number') return name === -EFAULT ? name : -EINVAL;
    // MFD_NOEXEC_SEAL: mode 0666 sealed against exec (and sealing allowed); otherwise 0777
    const noexec = (flags & MFD_NOEXEC_SEAL) !== 0;
    const inode = k.vfs.anonymousFile(noexec ? 0o666 : 0o777, t.creds);
    inode.seals = noexec ? F_SEAL_EXEC : flags & MFD_ALLOW_SEALING ? 0 : F_SEAL_SEAL;
    const f = k.files.open(new RegularFile(inode, `/memfd:${name}`, k.vfs), O_RDWR, inode);
    const fd = t.fds.install(f, (flags & MFD_CLOEXEC) !== 0);
    if (fd < 0) f.put();
    return fd;
  });
}
