// Open file descriptions: what an fd refers to. Reference counted
// explicitly (fd-table slots, in-flight SCM_RIGHTS messages, anything else
// that holds one); never released by garbage collection. `ops` is the
// object behind the file (a regular-file view of an inode, a pipe end, a
// socket), which implements the FileOps it supports.
import type { FootprintRecorder } from '../sched/footprint.ts';
import type { WaitQueue } from '../sched/waitqueue.ts';
import { touchFile } from './footprint.ts';
import { O_ACCMODE, O_RDONLY, O_WRONLY } from './abi.ts';
import type { Inode, Timespec } from './vfs.ts';
import type { Task } from './task.ts';
import type { UserIO } from './userio.ts';
import type { SyscallResult } from './syscall.ts';

export interface StatInfo {
  dev: number;
  ino: number;
  mode: number;
  nlink: number;
  uid: number;
  gid: number;
  size: number;
  blksize: number;
  /** device nodes: st_rdev */
  rdev?: number;
  /** timestamps (see Inode); absent: all zero (1970), as for a socket's inode, which sock_alloc gives none */
  times?: { atime: Timespec; mtime: Timespec; ctime: Timespec; btime: Timespec };
}

export interface FileOps {
  /** 'regular' | 'dir' | 'pipe' | 'socket' | 'console' ... */
  readonly kind: string;
  read?(t: Task, f: OpenFile, io: UserIO): SyscallResult;
  write?(t: Task, f: OpenFile, io: UserIO): SyscallResult;
  /** Positional I/O (pread/pwrite); absent means ESPIPE. */
  pread?(t: Task, f: OpenFile, io: UserIO, pos: number): SyscallResult;
  pwrite?(t: Task, f: OpenFile, io: UserIO, pos: number): SyscallResult;
  /** New position or -errno; absent means ESPIPE. */
  llseek?(f: OpenFile, offset: number, whence: number): number;
  ioctl?(t: Task, f: OpenFile, request: number, arg: number): SyscallResult;
  /** Current readiness (POLL* bits) and the queues a poller must wait on; `t` is the polling task (current), which a signalfd's readiness depends on. */
  poll?(f: OpenFile, t?: Task): number;
  pollQueues?(f: OpenFile, t?: Task): WaitQueue[];
  stat(f: OpenFile): StatInfo;
  /** fchmod of a file with no VFS inode (a socket's own inode mode); absent: accepted and forgotten */
  chmod?(f: OpenFile, mode: number): number;
  /** fchown of a file with no VFS inode (a socket's own inode owner) */
  chown?(f: OpenFile, uid: number, gid: number): number;
  /** Called once when the last reference to the open file is dropped. */
  release?(f: OpenFile): void;
  /** F_SETFL turned O_ASYNC on or off (->fasync): a file that finds its async readers by list keeps `f` on it. */
  fasync?(f: OpenFile, on: boolean): void;
  /**
   * Called when a reference is dropped and others remain (AF_UNIX runs its
   * garbage collector when only in-flight SCM_RIGHTS references are left).
   */
  unref?(f: OpenFile): void;
  /** Short description for traces, e.g. "pipe:[3]". */
  describe(f: OpenFile): string;
  /**
   * Names of the kernel objects an operation on this file may touch, for
   * partial-order reduction (src/kernel/footprint.ts); absent: the object's
   * description (or the whole VFS for files with an inode).
   */
  footprintKeys?(f: OpenFile): string[];
  /** A few words on the object's state for coverage tuples, e.g. "listening+full" (src/kernel/coverage.ts). */
  coverageState?(f: OpenFile): string;
  /** What strace -yy shows for an fd of this file, when more than describe() ("UNIX-STREAM:[20000->20001]"). */
  traceName?(f: OpenFile): string;
}

/**
 * Something that watches an open file without holding a reference to it and
 * must forget it when the file goes: an epoll interest-list entry (Linux
 * file->f_ep, cleaned up by eventpoll_release in __fput).
 */
export interface ReleaseWatcher {
  fileReleased(f: OpenFile): void;
}

/** Who gets SIGURG for a file (struct fown_struct, F_SETOWN; fown.ts), and the setter's ids. */
export interface FileOwner {
  /** F_OWNER_TID, F_OWNER_PID or F_OWNER_PGRP */
  type: 'tid' | 'pid' | 'pgrp';
  /** the thread, process or process group id (positive) */
  pid: number;
  uid: number;
  euid: number;
}

/** Every live open file of one kernel, by id (insertion ordered): for invariant checks and leak reports. */
export class OpenFiles {
  private nextId = 1;
  readonly live = new Map<number, OpenFile>();

  /** the scheduler's footprint recorder while exploring with dpor */
  constructor(readonly recorder: FootprintRecorder | null = null) {}

  open(ops: FileOps, flags: number, inode: Inode | null = null): OpenFile {
    this.recorder?.write('alloc:file');
    const f = new OpenFile(this, this.nextId++, ops, flags, inode);
    this.live.set(f.id, f);
    touchFile(this.recorder, f);
    return f;
  }
}

export class OpenFile {
  /** references: fd-table slots + in-flight messages + other holders */
  refs = 1;
  /** file position, shared by every fd that refers to this description */
  pos = 0;
  /** epoll entries watching this file (they hold no reference); told on the last put, before ops.release */
  watchers: ReleaseWatcher[] | null = null;
  /** F_SETOWN's owner (f_owner), null when none */
  fown: FileOwner | null = null;
  /** F_SETSIG's signal for O_ASYNC events (0: SIGIO), and the fd O_ASYNC was set through (fasync_struct's fa_fd) */
  sigioSignal = 0;
  asyncFd = -1;

  constructor(
    private readonly owner: OpenFiles,
    readonly id: number,
    readonly ops: FileOps,
    /** O_* status and access-mode flags (O_CLOEXEC lives in the fd slot, not here) */
    public flags: number,
    readonly inode: Inode | null = null,
  ) {}

  get readable(): boolean {
    return (this.flags & O_ACCMODE) !== O_WRONLY;
  }

  get writable(): boolean {
    return (this.flags & O_ACCMODE) !== O_RDONLY;
  }

  get(): this {
    if (this.refs <= 0) throw new Error(`kernel bug: get() on released file ${this.id}`);
    // A new reference must stay ordered with every put (it decides which put releases).
    this.owner.recorder?.write(`f:${this.id}`);
    this.refs++;
    return this;
  }

  /** Drops a reference; releases the file when it was the last. */
  put(): void {
    if (this.refs <= 0) throw new Error(`kernel bug: put() on released file ${this.id}`);
    // Every put writes the file: which of two puts is the last, and releases the object, depends on their
    // order, so two puts of one file never commute (only the last touches the object's keys).
    if (this.refs === 1) touchFile(this.owner.recorder, this);
    else this.owner.recorder?.write(`f:${this.id}`);
    if (--this.refs === 0) {
      this.owner.live.delete(this.id);
      if (this.watchers) {
        const ws = this.watchers;
        this.watchers = null;
        for (const w of ws) w.fileReleased(this);
      }
      this.ops.release?.(this);
    } else this.ops.unref?.(this);
  }
}

