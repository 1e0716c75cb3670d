// eventfd (fs/eventfd.c): a 64-bit counter behind a file. write(2) adds an
// 8-byte value and read(2) takes the whole count (or, with EFD_SEMAPHORE,
// one), each sleeping on the file's one wait queue while it cannot proceed
// (a read at 0, a write that would reach 2^64 - 1) and waking the other
// side after it changes the count: writers with EPOLLOUT, readers with
// EPOLLIN. The count is a bigint: it goes past 2^53.
import { O_CLOEXEC, O_NONBLOCK, O_RDWR } from './abi.ts';
import { EAGAIN, EFAULT, EINVAL } from './errno.ts';
import type { FileOps, OpenFile, StatInfo } from './file.ts';
import type { Kernel } from './kernel.ts';
import type { SyscallGen } from './syscall.ts';
import { POLLERR, POLLIN, POLLOUT, POLLRDNORM, POLLWRNORM } from './syscalls/poll.ts';
import type { Task } from './task.ts';
import type { UserIO } from './userio.ts';
import { sleepOn } from './wait.ts';
import { WaitQueue } from '../sched/waitqueue.ts';

const EFD_SEMAPHORE = 1;
const ULLONG_MAX = (1n << 64n) - 1n;

export class EventFd implements FileOps {
  readonly kind = 'eventfd';
  /** ctx->wqh: readers waiting for a count, writers waiting for room */
  readonly wait: WaitQueue;

  constructor(
    private count: bigint,
    private readonly semaphore: boolean,
    readonly id: number,
  ) {
    this.wait = new WaitQueue(`eventfd:[${id}]`);
  }

  *read(t: Task, f: OpenFile, io: UserIO): SyscallGen {
    if (io.total < 8) return -EINVAL;
    while (this.count === 0n) {
      if (f.flags & O_NONBLOCK) return -EAGAIN;
      const err = yield* sleepOn(t, this.wait);
      if (err) return err;
    }
    // eventfd_ctx_do_read
    const taken = this.semaphore ? 1n : this.count;
    this.count -= taken;
    this.wait.wakeAll(POLLOUT);
    const bytes = new Uint8Array(8);
    new DataView(bytes.buffer).setBigUint64(0, taken, true);
    return io.copyOut(bytes) === 8 ? 8 : -EFAULT;
  }

  *write(t: Task, f: OpenFile, io: UserIO): SyscallGen {
    // exactly one 8-byte value (Linux 6.x refuses a longer buffer too; a read may be longer)
    if (io.total !== 8) return -EINVAL;
    const bytes = io.copyIn(8);
    if (bytes.length < 8) return -EFAULT; // eventfd_write's copy_from_iter, before anything else
    const value = new DataView(bytes.buffer).getBigUint64(0, true);
    if (value === ULLONG_MAX) return -EINVAL;
    while (!(ULLONG_MAX - this.count > value)) {
      if (f.flags & O_NONBLOCK) return -EAGAIN;
      const err = yield* sleepOn(t, this.wait);
      if (err) return err;
    }
    this.count += value;
    this.wait.wakeAll(POLLIN);
    return 8;
  }

  poll(): number {
    let events = 0;
    if (this.count > 0n) events |= POLLIN | POLLRDNORM;
    if (this.count === ULLONG_MAX) events |= POLLERR;
    if (ULLONG_MAX - 1n > this.count) events |= POLLOUT | POLLWRNORM;
    return events;
  }

  pollQueues(): WaitQueue[] {
    return [this.wait];
  }

  stat(): StatInfo {
    // an anonymous inode: mode 0600, no type bits (anon_inode_getfile)
    return { dev: 14, ino: 1, mode: 0o600, nlink: 1, uid: 0, gid: 0, size: 0, blksize: 4096 };
  }

  describe(): string {
    return 'anon_inode:[eventfd]';
  }
}

export function registerEventfd(k: Kernel): void {
  let nextId = 0;
  k.table.define(19, 'eventfd2', ['uint', 'hex'], (t, [initval, flags]) => {
    if (flags & ~(O_CLOEXEC | O_NONBLOCK | EFD_SEMAPHORE)) return -EINVAL;
    const f = k.files.open(new EventFd(BigInt(initval), (flags & EFD_SEMAPHORE) !== 0, nextId++), O_RDWR | (flags & O_NONBLOCK));
    const fd = t.fds.install(f, (flags & O_CLOEXEC) !== 0);
    if (fd < 0) f.put();
    return fd;
  });
}
