// statfs and fstatfs (fs/statfs.c): which file system a path or an open file
// lives on, with the values Linux's file systems report. unixsim's tree is
// one tmpfs (shmem_statfs) apart from /proc (simple_statfs, as procfs has no
// blocks); open files without a path live on sockfs, pipefs, pidfs or the
// anonymous-inode file system, each a simple_statfs of its own.
import { AT_FDCWD } from '../abi.ts';
import { EBADF, EFAULT, ENOENT } from '../errno.ts';
import type { OpenFile } from '../file.ts';
import type { Kernel } from '../kernel.ts';
import type { Task } from '../task.ts';
import { readCString, StructWriter } from '../uaccess.ts';
import type { Inode } from '../vfs.ts';
import { resolvePath } from './fs.ts';

/** f_type magic numbers (include/uapi/linux/magic.h) */
export const TMPFS_MAGIC = 0x01021994, PROC_SUPER_MAGIC = 0x9fa0, SOCKFS_MAGIC = 0x534f434b, PIPEFS_MAGIC = 0x50495045,
  ANON_INODE_FS_MAGIC = 0x09041934, PIDFS_MAGIC = 0x50494446, DEVPTS_SUPER_MAGIC = 0x1cd1;
/** f_flags: ST_VALID (the flags mean something) and the mount's ST_RELATIME */
const ST_VALID = 0x20, ST_RELATIME = 0x1000;
const PAGE = 4096;
/** struct statfs (asm-generic, 64-bit) */
const STATFS_SIZE = 120;

interface FsInfo {
  type: number;
  /** blocks and inodes: total and free (0 for the pseudo file systems) */
  blocks: number;
  bfree: number;
  files: number;
  ffree: number;
  /** f_fsid: the superblock's device number, as simple_statfs encodes it */
  fsid: number;
  flags: number;
}

const pseudo = (type: number, dev: number): FsInfo => ({ type, blocks: 0, bfree: 0, files: 0, ffree: 0, fsid: dev, flags: ST_VALID });

/** Is the inode under /proc (the directory itself included)? */
function inProc(k: Kernel, inode: Inode): boolean {
  const proc = k.vfs.root.children!.get('proc');
  for (let i = inode; ; i = i.parent) {
    if (i === proc) return true;
    if (i === i.parent) return false;
  }
}

/**
 * shmem_statfs for the tree: a tmpfs sized, as tmpfs is by default, at half
 * of memory (here the run's budget), with what the budget has left free.
 */
function treeInfo(k: Kernel, inode: Inode): FsInfo {
  if (inProc(k, inode)) return { ...pseudo(PROC_SUPER_MAGIC, 0), flags: ST_VALID | ST_RELATIME };
  const total = Math.floor(k.memory.limit / 2 / PAGE);
  const free = Math.max(0, Math.min(total, Math.floor((k.memory.limit - k.memory.used) / PAGE)));
  return { type: TMPFS_MAGIC, blocks: total, bfree: free, files: total, ffree: free, fsid: 0, flags: ST_VALID | ST_RELATIME };
}

function fileInfo(k: Kernel, f: OpenFile): FsInfo {
  if (f.inode) return treeInfo(k, f.inode);
  // the dev numbers match the st_dev that fstat gives these files
  switch (f.ops.kind) {
    case 'socket': return pseudo(SOCKFS_MAGIC, 8);
    case 'pipe': return pseudo(PIPEFS_MAGIC, 12);
    case 'pidfd': return pseudo(PIDFS_MAGIC, 14);
    case 'console': return { ...pseudo(DEVPTS_SUPER_MAGIC, 5), flags: ST_VALID | ST_RELATIME };
    default: return pseudo(ANON_INODE_FS_MAGIC, 13); // epoll and the other anon_inode files
  }
}

function encode(i: FsInfo): Uint8Array {
  return new StructWriter(STATFS_SIZE)
    .u64(0, i.type).u64(8, PAGE).u64(16, i.blocks).u64(24, i.bfree).u64(32, i.bfree).u64(40, i.files).u64(48, i.ffree)
    .u32(56, i.fsid).u32(60, 0).u64(64, 255).u64(72, PAGE).u64(80, i.flags).bytes;
}

export function registerStatfs(k: Kernel): void {
  k.table.define(43, 'statfs', ['path', 'ptr'], (t: Task, [pathAddr, buf]) => {
    const path = readCString(t.mm, pathAddr);
    if (typeof path === 'number') return path;
    const l = resolvePath(t, AT_FDCWD, path);
    if (typeof l === 'number') return l;
    if (!l.inode) return -ENOENT;
    return t.mm.write(buf, encode(treeInfo(k, l.inode))) ? 0 : -EFAULT;
  });
  k.table.define(44, 'fstatfs', ['fd', 'ptr'], (t: Task, [fd, buf]) => {
    const f = t.fds.get(fd);
    if (!f) return -EBADF;
    return t.mm.write(buf, encode(fileInfo(k, f))) ? 0 : -EFAULT;
  });
}
