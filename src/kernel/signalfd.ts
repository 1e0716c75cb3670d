// signalfd (fs/signalfd.c): a file that reads the caller's pending signals
// of a mask instead of having them delivered (the program blocks them).
// Each read takes as many as fit, lowest first, the thread's own before the
// process's (dequeue_signal), each as a 128-byte struct signalfd_siginfo;
// with none pending it sleeps on the process's signalfd queue, which every
// signal queued to the process or one of its threads wakes. poll is
// readable while one is pending for the polling thread.
import { O_CLOEXEC, O_NONBLOCK, O_RDWR, SIGKILL, SIGSTOP } from './abi.ts';
import { EAGAIN, EBADF, EFAULT, EINVAL } from './errno.ts';
import type { FileOps, OpenFile, StatInfo } from './file.ts';
import type { Kernel } from './kernel.ts';
import { vpid } from './namespaces.ts';
import { bit, SI_KERNEL, type SigInfo } from './signal.ts';
import type { SyscallGen } from './syscall.ts';
import { POLLIN, POLLRDNORM } from './syscalls/poll.ts';
import type { Task } from './task.ts';
import type { UserIO } from './userio.ts';
import { sleepOn } from './wait.ts';
import { WaitQueue } from '../sched/waitqueue.ts';

const SIGNALFD_SIGINFO_SIZE = 128;
const UNBLOCKABLE = bit(SIGKILL) | bit(SIGSTOP);

/** struct signalfd_siginfo for one dequeued signal (signalfd_copyinfo). */
function signalfdSiginfo(t: Task, signo: number, info: SigInfo): Uint8Array {
  const b = new Uint8Array(SIGNALFD_SIGINFO_SIZE);
  const dv = new DataView(b.buffer);
  dv.setUint32(0, signo, true);
  dv.setInt32(8, info.code, true);
  if (info.band !== undefined) {
    dv.setUint32(28, info.band, true);
    dv.setInt32(20, info.fd ?? 0, true);
  } else if (info.code !== SI_KERNEL) {
    dv.setUint32(12, vpid(t, info.pid), true);
    dv.setUint32(16, info.uid >>> 0, true);
    if (info.status !== undefined) dv.setInt32(40, info.status, true);
  }
  return b;
}

export class SignalFd implements FileOps {
  readonly kind = 'signalfd';

  constructor(
    /** the signals it reads (never SIGKILL or SIGSTOP) */
    public mask: bigint,
  ) {}

  /** The process's signalfd queue, made the first time one of its signalfds needs it. */
  private queueOf(t: Task): WaitQueue {
    return (t.sig.shared.signalfdWait ??= new WaitQueue(`signalfd of pid ${t.tgid}`));
  }

  *read(t: Task, f: OpenFile, io: UserIO): SyscallGen {
    const room = Math.floor(io.total / SIGNALFD_SIGINFO_SIZE);
    if (room === 0) return -EINVAL;
    let n = 0;
    while (n < room) {
      const signo = t.sig.pendingIn(this.mask);
      if (signo === 0) {
        if (n > 0) break;
        if (f.flags & O_NONBLOCK) return -EAGAIN;
        const err = yield* sleepOn(t, this.queueOf(t));
        if (err) return err;
        continue;
      }
      const info = t.sig.take(signo);
      if (io.copyOut(signalfdSiginfo(t, signo, info)) !== SIGNALFD_SIGINFO_SIZE) return n > 0 ? n * SIGNALFD_SIGINFO_SIZE : -EFAULT;
      n++;
    }
    return n * SIGNALFD_SIGINFO_SIZE;
  }

  poll(_f: OpenFile, t?: Task): number {
    return t && t.sig.pendingIn(this.mask) !== 0 ? POLLIN | POLLRDNORM : 0;
  }

  pollQueues(_f: OpenFile, t?: Task): WaitQueue[] {
    return t ? [this.queueOf(t)] : [];
  }

  stat(): StatInfo {
    return { dev: 14, ino: 1, mode: 0o600, nlink: 1, uid: 0, gid: 0, size: 0, blksize: 4096 };
  }

  describe(): string {
    return 'anon_inode:[signalfd]';
  }
}

export function registerSignalfd(k: Kernel): void {
  k.table.define(74, 'signalfd4', ['fd', 'ptr', 'size', 'hex'], (t, [ufd, maskp, size, flags]) => {
    if (flags & ~(O_CLOEXEC | O_NONBLOCK)) return -EINVAL;
    if (size !== 8) return -EINVAL;
    const b = t.mm.read(maskp, 8);
    if (!b) return -EFAULT;
    const mask = new DataView(b.buffer, b.byteOffset, 8).getBigUint64(0, true) & ~UNBLOCKABLE;
    if (ufd === -1) {
      const f = k.files.open(new SignalFd(mask), O_RDWR | (flags & O_NONBLOCK));
      const fd = t.fds.install(f, (flags & O_CLOEXEC) !== 0);
      if (fd < 0) f.put();
      return fd;
    }
    const f = t.fds.get(ufd);
    if (!f) return -EBADF;
    if (!(f.ops instanceof SignalFd)) return -EINVAL;
    f.ops.mask = mask;
    // a reader sleeping on the old mask re-checks with the new one
    t.sig.shared.signalfdWait?.wakeAll(POLLIN);
    return ufd;
  });
}
