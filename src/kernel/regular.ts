// Open files over VFS inodes: regular files (bytes in Inode.data, position
// in OpenFile.pos shared by every fd of the description), directories
// (getdents64 and lseek only; read is EISDIR), O_PATH handles (only fstat
// and use as a dirfd), and FIFOs made by mknod (a pipe shared by every open
// of the inode, as fs/pipe.c:fifo_open does it).
import { sealRefusesWrite } from './memfd.ts';
import { O_APPEND, O_NONBLOCK, S_IFDIR, S_IFIFO, S_IFREG, S_IFSOCK, SEEK_CUR, SEEK_END, SEEK_SET } from './abi.ts';
import type { MemoryBudget } from '../hw/budget.ts';
import { EBADF, EFAULT, EFBIG, EINVAL, EISDIR, ENOSPC, ENXIO, EPERM } from './errno.ts';
import type { FileOps, OpenFile, StatInfo } from './file.ts';
import type { Kernel } from './kernel.ts';
import { Pipe, PipeEnd } from './pipe.ts';
import type { KernelYield, SyscallGen } from './syscall.ts';
import type { WaitQueue } from '../sched/waitqueue.ts';
import type { Task } from './task.ts';
import type { UserIO } from './userio.ts';
import type { Inode, Vfs } from './vfs.ts';
import { sleepOn } from './wait.ts';

/** Device number every VFS inode reports (one in-memory filesystem). */
export const VFS_DEV = 0x1a;

/**
 * Largest regular file: the in-memory filesystem's s_maxbytes. A write or
 * truncate beyond it is EFBIG (generic_write_check_limits), which keeps a
 * guest's pwrite at offset 2^50 from allocating host memory.
 */
export const MAX_FILE_SIZE = 64 * 1024 * 1024;

/** stat of a VFS inode (what newfstatat reports for any path). */
export function statInode(inode: Inode): StatInfo {
  const type = inode.type;
  return {
    dev: VFS_DEV,
    ino: inode.ino,
    mode: inode.mode,
    nlink: inode.nlink,
    uid: inode.uid,
    gid: inode.gid,
    size: type === S_IFREG ? inode.size : type === S_IFDIR ? 4096 : inode.target !== null ? inode.target.length : 0,
    blksize: 4096,
    rdev: inode.rdev,
    times: { atime: inode.atime, mtime: inode.mtime, ctime: inode.ctime, btime: inode.btime },
  };
}

/**
 * Grows (zero-filled) or shrinks a regular file to `size` bytes; the caller
 * checked the size limit. False (nothing changed) when the run's memory
 * budget cannot hold the growth: the caller's ENOSPC, as a full tmpfs gives.
 */
export function truncateInode(inode: Inode, size: number, memory: MemoryBudget): boolean {
  if (size < inode.size) {
    inode.data.fill(0, size, inode.size); // later growth must read zeros, not the old bytes
  } else if (size > inode.data.length) {
    if (!ensureCapacity(inode, size, memory)) return false;
  }
  inode.size = size;
  return true;
}

/** Makes room for `need` bytes, charging the growth to the budget; false when it cannot. */
function ensureCapacity(inode: Inode, need: number, memory: MemoryBudget): boolean {
  if (need <= inode.data.length) return true;
  const cap = Math.min(MAX_FILE_SIZE, Math.max(need, inode.data.length * 2, 64));
  if (!memory.charge(cap - inode.data.length)) {
    // The doubling may not fit where the exact size does.
    if (need === cap || !memory.charge(need - inode.data.length)) return false;
    return grow(inode, need);
  }
  return grow(inode, cap);
}

function grow(inode: Inode, cap: number): boolean {
  const grown = new Uint8Array(cap);
  grown.set(inode.data.subarray(0, inode.size));
  inode.data = grown;
  return true;
}

/** The file's bytes go back to the budget once no name and no open file refers to it (Linux's iput of an unlinked inode). */
export function freeIfUnused(inode: Inode, memory: MemoryBudget): void {
  if (inode.nlink > 0 || inode.opens > 0 || inode.type !== S_IFREG) return;
  memory.release(inode.data.length);
  inode.data = new Uint8Array(0);
  inode.size = 0;
}

/** lseek arithmetic shared by files and directories: the new position or -EINVAL. */
function seek(pos: number, size: number, offset: number, whence: number): number {
  let base: number;
  if (whence === SEEK_SET) base = 0;
  else if (whence === SEEK_CUR) base = pos;
  else if (whence === SEEK_END) base = size;
  else return -EINVAL; // SEEK_DATA/SEEK_HOLE are not modelled
  const next = base + offset;
  if (next < 0 || !Number.isSafeInteger(next)) return -EINVAL;
  return next;
}

export class RegularFile implements FileOps {
  readonly kind = 'regular';

  private readonly memory: MemoryBudget;

  constructor(
    readonly inode: Inode,
    readonly path: string,
    private readonly vfs: Vfs,
  ) {
    this.memory = vfs.memory;
    inode.opens++;
  }

  release(): void {
    this.inode.opens--;
    freeIfUnused(this.inode, this.memory);
  }

  read(_t: Task, f: OpenFile, io: UserIO): number {
    const n = this.readAt(io, f.pos);
    if (n > 0) f.pos += n;
    return n;
  }

  write(_t: Task, f: OpenFile, io: UserIO): number {
    if (f.flags & O_APPEND) f.pos = this.inode.size;
    const n = this.writeAt(io, f.pos);
    if (n > 0) f.pos += n;
    return n;
  }

  pread(_t: Task, _f: OpenFile, io: UserIO, pos: number): number {
    return this.readAt(io, pos);
  }

  /** Linux quirk (pwrite(2) BUGS): with O_APPEND, pwrite appends whatever the offset says. */
  pwrite(_t: Task, f: OpenFile, io: UserIO, pos: number): number {
    return this.writeAt(io, f.flags & O_APPEND ? this.inode.size : pos);
  }

  llseek(f: OpenFile, offset: number, whence: number): number {
    const next = seek(f.pos, this.inode.size, offset, whence);
    if (next >= 0) f.pos = next;
    return next;
  }

  stat(): StatInfo {
    return statInode(this.inode);
  }

  describe(): string {
    return this.path;
  }

  private readAt(io: UserIO, pos: number): number {
    const inode = this.inode;
    if (io.total === 0) return 0;
    this.vfs.accessed(inode); // filemap_read's file_accessed, even at the end of the file
    if (pos >= inode.size) return 0;
    const end = Math.min(inode.size, pos + io.remaining);
    // filemap_read: what it copied before a hole in the buffer, EFAULT when that is nothing
    return io.copyOut(inode.data.subarray(pos, end)) || -EFAULT;
  }

  private writeAt(io: UserIO, pos: number): number {
    if (io.total === 0) return 0;
    const inode = this.inode;
    // a sealed memfd (shmem_file_write_iter's checks): no writes under F_SEAL_WRITE, none past the end under F_SEAL_GROW
    if (inode.seals !== null && sealRefusesWrite(inode, pos, io.remaining)) return -EPERM;
    if (pos >= MAX_FILE_SIZE) return -EFBIG;
    const n = Math.min(io.remaining, MAX_FILE_SIZE - pos);
    if (!ensureCapacity(inode, pos + n, this.memory)) return -ENOSPC;
    this.vfs.modified(inode); // file_modified
    // generic_perform_write: the bytes up to a hole in the buffer are written, EFAULT when there are none
    const bytes = io.copyIn(n);
    if (bytes.length === 0) return -EFAULT;
    if (pos > inode.size) inode.data.fill(0, inode.size, pos);
    inode.data.set(bytes, pos);
    if (pos + bytes.length > inode.size) inode.size = pos + bytes.length;
    return bytes.length;
  }
}

/** struct linux_dirent64 d_type values. */
const DT_FIFO = 1, DT_CHR = 2, DT_DIR = 4, DT_BLK = 6, DT_REG = 8, DT_LNK = 10, DT_SOCK = 12;

export function direntType(inode: Inode): number {
  switch (inode.type) {
    case S_IFDIR: return DT_DIR;
    case S_IFREG: return DT_REG;
    case S_IFIFO: return DT_FIFO;
    case S_IFSOCK: return DT_SOCK;
    case 0o020000: return DT_CHR;
    case 0o060000: return DT_BLK;
    case 0o120000: return DT_LNK;
    default: return 0;
  }
}

/**
 * A directory opened with open(2). The position counts entries: 0 is ".",
 * 1 is "..", then the children in creation order (as dcache_readdir walks
 * them); entries added or removed while reading may shift the walk.
 */
export class DirFile implements FileOps {
  readonly kind = 'dir';

  constructor(
    readonly inode: Inode,
    readonly path: string,
  ) {}

  /** read(2) is EISDIR (io.ts says so when `read` is absent); pread(2) too. */
  pread(): number {
    return -EISDIR;
  }

  /** dcache_dir_lseek: SEEK_SET and SEEK_CUR only. */
  llseek(f: OpenFile, offset: number, whence: number): number {
    if (whence !== SEEK_SET && whence !== SEEK_CUR) return -EINVAL;
    const next = seek(f.pos, 0, offset, whence);
    if (next >= 0) f.pos = next;
    return next;
  }

  /** The entries from position `from` on: name and inode. */
  entries(from: number): { name: string; inode: Inode }[] {
    const all: { name: string; inode: Inode }[] = [
      { name: '.', inode: this.inode },
      { name: '..', inode: this.inode.parent },
    ];
    for (const [name, inode] of this.inode.children ?? []) all.push({ name, inode });
    return all.slice(from);
  }

  stat(): StatInfo {
    return statInode(this.inode);
  }

  describe(): string {
    return this.path;
  }
}

/** An O_PATH handle: names an inode for *at() calls and fstat; every I/O call is EBADF, as with FMODE_PATH. */
export class PathFile implements FileOps {
  readonly kind = 'path';

  constructor(
    readonly inode: Inode,
    readonly path: string,
  ) {}

  read(): number {
    return -EBADF;
  }
  write(): number {
    return -EBADF;
  }
  pread(): number {
    return -EBADF;
  }
  pwrite(): number {
    return -EBADF;
  }
  llseek(): number {
    return -EBADF;
  }
  ioctl(): number {
    return -EBADF;
  }
  stat(): StatInfo {
    return statInode(this.inode);
  }
  describe(): string {
    return `${this.path} (O_PATH)`;
  }
}

/**
 * The pipe behind a FIFO inode while any end is open; a new one once both
 * sides have closed (Linux frees pipe_inode_info then, dropping unread bytes).
 * The counters say how many read/write opens ever happened, so a blocked
 * open notices a peer that opened and closed again before it ran (fifo_open's
 * r_counter / w_counter).
 */
class Fifo {
  pipe: Pipe;
  readOpens = 0;
  writeOpens = 0;
  constructor(
    readonly inode: Inode,
    readonly k: Kernel,
  ) {
    this.pipe = new Pipe(inode.ino, k);
  }
}

/** Runs `done` once the call `r` has moved some bytes. */
function afterIo(r: SyscallGen | number, done: () => void): SyscallGen | number {
  if (typeof r === 'number') {
    if (r > 0) done();
    return r;
  }
  return (function* (): SyscallGen {
    const n = yield* r;
    if (n > 0) done();
    return n;
  })();
}

/**
 * A FIFO end reports the FIFO inode's stat, not an anonymous pipe's, and its
 * I/O moves that inode's times (pipe_read's file_accessed, pipe_write's
 * file_update_time), which an anonymous pipe's does not.
 */
class FifoEnd extends PipeEnd {
  constructor(
    readonly fifo: Fifo,
    isWriter: boolean,
  ) {
    super(fifo.pipe, isWriter);
  }
  override read(t: Task, f: OpenFile, io: UserIO): SyscallGen | number {
    return afterIo(super.read(t, f, io), () => t.kernel.vfs.accessed(this.fifo.inode));
  }
  override write(t: Task, f: OpenFile, io: UserIO): SyscallGen | number {
    return afterIo(super.write(t, f, io), () => t.kernel.vfs.modified(this.fifo.inode));
  }
  override stat(): StatInfo {
    return statInode(this.fifo.inode);
  }
}

/** FIFO state per inode, owned by one kernel. */
export class Fifos {
  private readonly byInode = new Map<Inode, Fifo>();
  /** ends opened by an open(2) still waiting for its peer: referenced by that open, not yet by an fd */
  private readonly opening: OpenFile[] = [];

  constructor(private readonly k: Kernel) {
    k.refHolders.push(() => this.opening);
  }

  /**
   * fifo_open: O_RDONLY waits for a writer unless O_NONBLOCK; O_WRONLY waits
   * for a reader, or is ENXIO with O_NONBLOCK and no reader. O_RDWR is not
   * modelled (a pipe end here reads or writes, not both): EINVAL.
   */
  *open(t: Task, inode: Inode, accmode: number, flags: number): Generator<KernelYield, OpenFile | number, void> {
    let fifo = this.byInode.get(inode);
    if (!fifo) {
      fifo = new Fifo(inode, this.k);
      this.byInode.set(inode, fifo);
    }
    if (fifo.pipe.readers === 0 && fifo.pipe.writers === 0 && fifo.pipe.size > 0) fifo.pipe = new Pipe(inode.ino, this.k);
    const status = flags & (O_NONBLOCK | O_APPEND);
    if (accmode === 0) {
      fifo.readOpens++;
      const f = this.k.files.open(new FifoEnd(fifo, false), 0 | status, inode);
      fifo.pipe.writeWait.wakeAll();
      if (!(flags & O_NONBLOCK)) {
        const seen = fifo.writeOpens;
        const err = yield* this.waitFor(t, f, fifo.pipe.readWait, () => fifo.pipe.writers === 0 && fifo.writeOpens === seen);
        if (err) return err;
      }
      return f;
    }
    if (accmode === 1) {
      if (fifo.pipe.readers === 0 && flags & O_NONBLOCK) return -ENXIO;
      fifo.writeOpens++;
      const f = this.k.files.open(new FifoEnd(fifo, true), 1 | status, inode);
      fifo.pipe.readWait.wakeAll();
      const seen = fifo.readOpens;
      const err = yield* this.waitFor(t, f, fifo.pipe.writeWait, () => fifo.pipe.readers === 0 && fifo.readOpens === seen);
      if (err) return err;
      return f;
    }
    return -EINVAL;
  }

  /** Sleeps while `waiting()` holds, the half-open end counted as held by this open; on a signal drops it. */
  private *waitFor(t: Task, f: OpenFile, q: WaitQueue, waiting: () => boolean): Generator<KernelYield, number, void> {
    if (!waiting()) return 0;
    this.opening.push(f);
    let err = 0;
    try {
      while (waiting()) {
        err = yield* sleepOn(t, q);
        if (err) break;
      }
    } finally {
      // Also runs when the task dies asleep: the end is then released with the abandoned open.
      this.opening.splice(this.opening.indexOf(f), 1);
      if (err || waiting()) f.put();
    }
    return err;
  }
}
