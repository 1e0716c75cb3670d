// Pipes: a bounded byte buffer with a reader and a writer wait queue.
// Readers sleep while it is empty and a writer exists (EOF once none does);
// writers sleep while it is full, and get EPIPE plus SIGPIPE once no reader
// exists. Writes of at most PIPE_BUF bytes are atomic (pipe(7)).
import { POLL_IN, POLL_OUT, sendSigio } from './fown.ts';
import { WaitQueue } from '../sched/waitqueue.ts';
import { FIONREAD, O_CLOEXEC, O_NONBLOCK, O_RDONLY, O_WRONLY, S_IFIFO, SIGPIPE } from './abi.ts';
import { EAGAIN, EFAULT, EINVAL, ENOMEM, ENOTTY, EPIPE } from './errno.ts';
import type { FileOps, OpenFile, StatInfo } from './file.ts';
import type { Kernel } from './kernel.ts';
import type { Timespec } from './vfs.ts';
import type { SyscallGen } from './syscall.ts';
import type { Task } from './task.ts';
import { putU32 } from './uaccess.ts';
import type { UserIO } from './userio.ts';
import { sleepOn } from './wait.ts';

export const PIPE_CAPACITY = 65536;
export const PIPE_BUF = 4096;
const POLLIN = 0x1, POLLOUT = 0x4, POLLERR = 0x8, POLLHUP = 0x10, POLLRDNORM = 0x40, POLLWRNORM = 0x100;

/** A pipe buffer's page (pipe_write fills one page per buffer). */
const PAGE_SIZE = 4096;

export class Pipe {
  /**
   * Queued bytes, oldest first, one array per Linux pipe buffer: a write
   * fills a page per buffer, after merging its sub-page remainder into the
   * last buffer (pipe_write). It matters only when a copy faults: a read
   * counts the buffers it copied whole, a write the buffers it filled.
   */
  private chunks: Uint8Array[] = [];
  /** where the last buffer's bytes end in its page (offset + len): what is left of the page for a merge */
  private tailEnd = 0;
  /** bytes queued (sum of chunk lengths) */
  size = 0;
  /** open read ends */
  readers = 0;
  /** open write ends */
  writers = 0;
  readonly readWait: WaitQueue;
  readonly writeWait: WaitQueue;
  /** when pipefs made its inode: its timestamps, which reads and writes of an anonymous pipe leave alone (Linux 6.7 on) */
  readonly created: Timespec;

  constructor(
    readonly ino: number,
    private readonly k: Kernel,
  ) {
    this.created = k.vfs.now();
    // Wait conditions (for the wake-duty checker): readable or EOF; room for an atomic write, or EPIPE.
    this.readWait = new WaitQueue(`pipe:[${ino}] readers`).readyWhen(() => this.size > 0 || this.writers === 0);
    this.writeWait = new WaitQueue(`pipe:[${ino}] writers`).readyWhen(() => !this.full || this.readers === 0);
  }

  *read(t: Task, f: OpenFile, io: UserIO): SyscallGen {
    if (this.k.bug('pipe-read-no-recheck')) return yield* this.readTrustingWakeup(t, f, io);
    if (io.total === 0) return 0;
    let slept = false;
    while (this.size === 0) {
      if (this.writers === 0) return this.tellWriters(0);
      if (f.flags & O_NONBLOCK) return this.tellWriters(-EAGAIN);
      this.tellWriters(0);
      const err = yield* sleepOn(t, this.readWait);
      if (err) return err;
      slept = true;
    }
    // pipe_read wakes the writers only if the pipe was full (no room for an atomic write, so none sleeps otherwise)
    const wasFull = this.full;
    const n = this.take(io, this.k.faults?.shortRead(io.remaining));
    if (wasFull && !this.k.bug('pipe-read-no-wake')) this.writeWait.wakeAll();
    // wake_next_reader: a reader that slept and leaves bytes behind wakes the readers' queue (an edge for epoll)
    if (slept && this.size > 0) this.readWait.wakeAll();
    return this.tellWriters(n);
  }

  /** pipe_full: no room for an atomic write (POLLOUT is off, and writers sleep) */
  get full(): boolean {
    return PIPE_CAPACITY - this.size < PIPE_BUF;
  }

  /** The files O_ASYNC was set on through a read end and a write end (pipe_fasync's two lists). */
  readonly asyncReaders: OpenFile[] = [];
  readonly asyncWriters: OpenFile[] = [];

  /** kill_fasync(fasync_writers, POLL_OUT): pipe_read ends (or sleeps) with it; returns `ret`. */
  private tellWriters(ret: number): number {
    for (const f of this.asyncWriters) sendSigio(this.k, f, POLL_OUT);
    return ret;
  }

  /** kill_fasync(fasync_readers, POLL_IN): pipe_write ends (or sleeps) with it; returns `ret`. */
  private tellReaders(ret: number): number {
    for (const f of this.asyncReaders) sendSigio(this.k, f, POLL_IN);
    return ret;
  }

  /** pipe_release when one side has no ends left: both lists hear of it. */
  tellBothSides(): void {
    this.tellReaders(0);
    this.tellWriters(0);
  }

  /** BUG (planted 'pipe-read-no-recheck'): sleeps once and trusts the wakeup; an empty pipe then reads as EOF. */
  private *readTrustingWakeup(t: Task, f: OpenFile, io: UserIO): SyscallGen {
    if (io.total === 0) return 0;
    if (this.size === 0) {
      if (this.writers === 0) return 0;
      if (f.flags & O_NONBLOCK) return -EAGAIN;
      const err = yield* sleepOn(t, this.readWait);
      if (err) return err;
    }
    const wasFull = this.full;
    const n = this.take(io);
    if (wasFull) this.writeWait.wakeAll();
    return n;
  }

  *write(t: Task, f: OpenFile, io: UserIO): SyscallGen {
    if (io.total === 0) return 0;
    let written = 0;
    let wasEmpty = this.size === 0;
    let merge = !wasEmpty;
    for (;;) {
      if (this.readers === 0) {
        this.k.sendSignal(t, SIGPIPE);
        return this.endWrite(written || -EPIPE);
      }
      const space = PIPE_CAPACITY - this.size;
      const need = io.remaining <= PIPE_BUF ? io.remaining : 1;
      if (space >= need) {
        // The buffer's pages come from the run's memory budget (pipe_write's alloc_page: ENOMEM when none).
        const room = Math.min(space, io.remaining);
        if (!this.k.memory.charge(room)) return this.endWrite(written || -ENOMEM);
        const n = this.fill(io, room, merge);
        merge = false;
        this.k.memory.release(room - n);
        this.size += n;
        written += n;
        // a hole in the buffer: the buffers filled before it count (pipe_write: "if (!ret) ret = -EFAULT")
        if (io.faulted) return this.endWrite(written || -EFAULT);
        if (io.remaining === 0) return this.endWrite(written);
        continue;
      }
      if (f.flags & O_NONBLOCK) return this.endWrite(written || -EAGAIN);
      // about to sleep for room: readers sleep only on an empty pipe, so only a pipe this call filled owes them a wake
      if (wasEmpty) this.wakeReaders();
      this.tellReaders(0);
      const err = yield* sleepOn(t, this.writeWait);
      if (err) return this.endWrite(written || err);
      wasEmpty = this.size === 0;
    }
  }

  /**
   * pipe_write's end (`out:`), whatever it returns, EAGAIN and EPIPE too:
   * the readers' queue is woken (Linux: if the pipe was empty or has ever
   * been polled, poll_usage, which is assumed here; an edge-triggered epoll
   * entry on a read end fires again), and the readers' owners get SIGIO.
   */
  private endWrite(ret: number): number {
    this.wakeReaders();
    return this.tellReaders(ret);
  }

  private wakeReaders(): void {
    if (!this.k.bug('pipe-write-no-wake')) this.readWait.wakeAll();
  }

  /** Both ends are gone: the queued bytes go back to the budget. */
  drain(): void {
    this.k.memory.release(this.size);
    this.chunks = [];
    this.size = 0;
  }

  /**
   * Copies `room` bytes of io into the pipe as pipe_write lays them out:
   * with `merge` (a pipe that was not empty, at the start of the write),
   * the write's sub-page remainder goes into the last buffer when it fits
   * in its page; the rest a page per buffer. Returns the bytes it queued: on
   * a fault, those of the buffers it filled before it.
   */
  private fill(io: UserIO, room: number, merge: boolean): number {
    let n = 0;
    const chars = io.remaining % PAGE_SIZE;
    if (merge && chars > 0 && chars <= room && this.tailEnd + chars <= PAGE_SIZE) {
      const bytes = io.copyIn(chars);
      if (io.faulted) return 0;
      const last = this.chunks[this.chunks.length - 1];
      const merged = new Uint8Array(last.length + chars);
      merged.set(last);
      merged.set(bytes, last.length);
      this.chunks[this.chunks.length - 1] = merged;
      this.tailEnd += chars;
      n = chars;
    }
    while (n < room) {
      const bytes = io.copyIn(Math.min(PAGE_SIZE, room - n));
      if (io.faulted) break;
      this.chunks.push(bytes);
      this.tailEnd = bytes.length;
      n += bytes.length;
    }
    return n;
  }

  /**
   * Copies queued bytes out, at most `limit` (a short read under --short-io).
   * A buffer the copy could not finish stays queued whole (pipe_read): the
   * bytes of the buffers before it, or -EFAULT.
   */
  private take(io: UserIO, limit = Infinity): number {
    let n = 0;
    while (io.remaining > 0 && n < limit && this.chunks.length) {
      const c = this.chunks[0];
      const put = io.copyOut(limit - n < c.length ? c.subarray(0, limit - n) : c);
      if (io.faulted) return n || -EFAULT;
      n += put;
      this.size -= put;
      this.k.memory.release(put);
      if (put === c.length) this.chunks.shift();
      else this.chunks[0] = c.subarray(put);
    }
    return n;
  }
}

export class PipeEnd implements FileOps {
  readonly kind = 'pipe';

  constructor(
    readonly pipe: Pipe,
    readonly isWriter: boolean,
  ) {
    if (isWriter) pipe.writers++;
    else pipe.readers++;
  }

  read(t: Task, f: OpenFile, io: UserIO): SyscallGen | number {
    return this.isWriter ? -EINVAL : this.pipe.read(t, f, io);
  }

  write(t: Task, f: OpenFile, io: UserIO): SyscallGen | number {
    return this.isWriter ? this.pipe.write(t, f, io) : -EINVAL;
  }

  ioctl(t: Task, _f: OpenFile, req: number, arg: number): number {
    if (req !== FIONREAD) return -ENOTTY;
    return putU32(t.mm, arg, this.pipe.size) ? 0 : -EFAULT;
  }

  poll(): number {
    const p = this.pipe;
    if (this.isWriter) {
      let m = !p.full ? POLLOUT | POLLWRNORM : 0;
      if (p.readers === 0) m |= POLLERR;
      return m;
    }
    let m = p.size > 0 ? POLLIN | POLLRDNORM : 0;
    if (p.writers === 0) m |= POLLHUP;
    return m;
  }

  coverageState(): string {
    const p = this.pipe;
    let st = p.size === 0 ? 'empty' : PIPE_CAPACITY - p.size < PIPE_BUF ? 'full' : 'data';
    if (this.isWriter ? p.readers === 0 : p.writers === 0) st += this.isWriter ? '+no-readers' : '+no-writers';
    return st;
  }

  pollQueues(): WaitQueue[] {
    return [this.isWriter ? this.pipe.writeWait : this.pipe.readWait];
  }

  stat(): StatInfo {
    const c = this.pipe.created;
    return { dev: 12, ino: this.pipe.ino, mode: S_IFIFO | 0o600, nlink: 1, uid: 0, gid: 0, size: 0, blksize: 4096,
      times: { atime: c, mtime: c, ctime: c, btime: c } };
  }

  /** pipe_fasync: O_ASYNC through this end puts the file on the list its side is told through (both for a read-write FIFO end). */
  fasync(f: OpenFile, on: boolean): void {
    const p = this.pipe;
    for (const [list, side] of [[p.asyncReaders, f.readable], [p.asyncWriters, f.writable]] as const) {
      const i = list.indexOf(f);
      if (on && side && i < 0) list.push(f);
      if (!on && i >= 0) list.splice(i, 1);
    }
  }

  /** Last reference gone: the other side sees EOF (no writers) or EPIPE (no readers). */
  release(f: OpenFile): void {
    const p = this.pipe;
    this.fasync(f, false);
    if (this.isWriter) p.writers--;
    else p.readers--;
    // pipe_release: only the last reader or the last writer going, with the other side still open, wakes (both queues)
    if ((p.readers === 0) !== (p.writers === 0)) {
      p.readWait.wakeAll();
      p.writeWait.wakeAll();
      p.tellBothSides();
    }
    if (p.readers === 0 && p.writers === 0) p.drain();
  }

  describe(): string {
    return `pipe:[${this.pipe.ino}]`;
  }
}

/** Only for the planted bug 'global-pipe-ino': the mistake of keeping a counter outside the kernel instance. */
let globalNextIno = 1000;

export function registerPipe(k: Kernel): void {
  let nextIno = 1000;
  k.table.define(59, 'pipe2', ['ptr', 'hex'], (t, [fds, flags]) => {
    if (flags & ~(O_CLOEXEC | O_NONBLOCK)) return -EINVAL;
    if (!t.mm.check(fds, 8, 2)) return -EFAULT;
    const pipe = new Pipe(k.bug('global-pipe-ino') ? globalNextIno++ : nextIno++, k);
    const status = flags & O_NONBLOCK;
    const rf = k.files.open(new PipeEnd(pipe, false), O_RDONLY | status);
    const wf = k.files.open(new PipeEnd(pipe, true), O_WRONLY | status);
    const cloexec = (flags & O_CLOEXEC) !== 0;
    const r = t.fds.install(rf, cloexec);
    if (r < 0) {
      rf.put();
      wf.put();
      return r;
    }
    const w = t.fds.install(wf, cloexec);
    if (w < 0) {
      t.fds.remove(r);
      rf.put();
      wf.put();
      return w;
    }
    putU32(t.mm, fds, r);
    putU32(t.mm, fds + 4, w);
    return 0;
  });
}
