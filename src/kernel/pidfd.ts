// pidfds (kernel/pid.c pidfd_open, kernel/signal.c pidfd_send_signal,
// fs/pidfs.c pidfd_poll): an open file that names a process. It polls
// readable once the process has exited (a zombie) and also hung up once it
// has been reaped; pidfd_send_signal signals it as kill(2) would, ESRCH once
// it is reaped. Pids are never reused here, so the pid alone identifies
// the process for the file's whole life.
import { O_NONBLOCK, O_RDWR } from './abi.ts';
import { EBADF, EINVAL, EPERM, ESRCH } from './errno.ts';
import type { FileOps, OpenFile, StatInfo } from './file.ts';
import type { Kernel } from './kernel.ts';
import { POLLHUP, POLLIN, POLLRDNORM } from './syscalls/poll.ts';
import type { Task } from './task.ts';
import { initIgnores, taskByVpid } from './namespaces.ts';
import { procKey } from './footprint.ts';
import { WaitQueue } from '../sched/waitqueue.ts';

/** PIDFD_NONBLOCK; PIDFD_THREAD (O_EXCL, pidfds of single threads) is not modelled and refused as unknown */
const PIDFD_NONBLOCK = O_NONBLOCK;
const NSIG = 64;

export class PidFd implements FileOps {
  readonly kind = 'pidfd';
  constructor(
    readonly k: Kernel,
    /** the process's tgid */
    readonly pid: number,
    /** woken when the process exits and when it is reaped (pid->wait_pidfd) */
    readonly wait: WaitQueue,
  ) {}

  /** The process's leader while it exists (running or a zombie); null once reaped. */
  get task(): Task | null {
    const t = this.k.tasks.get(this.pid);
    return t && t.group.leader === t ? t : null;
  }

  poll(): number {
    const t = this.task;
    if (!t) return POLLIN | POLLRDNORM | POLLHUP;
    return t.group.threads.length === 0 ? POLLIN | POLLRDNORM : 0;
  }

  pollQueues(): WaitQueue[] {
    return [this.wait];
  }

  stat(): StatInfo {
    return { dev: 14, ino: this.pid, mode: 0o600, nlink: 1, uid: 0, gid: 0, size: 0, blksize: 4096 };
  }

  describe(): string {
    return 'anon_inode:[pidfd]';
  }

  /** dpor: what poll reads, the process's entry in the task table (its exit and reap write it). */
  footprintKeys(): string[] {
    return [procKey(this.pid)];
  }
}

/** Per-kernel pidfd state: one wait queue per process that has pidfds. */
export class Pidfds {
  private readonly waits = new Map<number, WaitQueue>();
  constructor(readonly k: Kernel) {}

  /** A new open pidfd file for process `pid` (the caller installs it, O_CLOEXEC). */
  open(pid: number, nonblock = false): OpenFile {
    let q = this.waits.get(pid);
    if (!q) {
      q = new WaitQueue(`pidfd of pid ${pid}`);
      this.waits.set(pid, q);
    }
    return this.k.files.open(new PidFd(this.k, pid, q), O_RDWR | (nonblock ? O_NONBLOCK : 0));
  }

  /** do_notify_pidfd: the process exited or was reaped. */
  changed(pid: number): void {
    this.waits.get(pid)?.wakeAll();
  }
}

export function registerPidfd(k: Kernel): Pidfds {
  const p = new Pidfds(k);
  k.pidfds = p;
  k.processHooks.push((pid) => p.changed(pid));

  k.table.define(434, 'pidfd_open', ['int', 'hex'], (t, [pid, flags]) => {
    if (flags & ~PIDFD_NONBLOCK) return -EINVAL;
    if (pid <= 0) return -EINVAL;
    const target = taskByVpid(t, pid);
    if (!target) return -ESRCH;
    if (target.group.leader !== target) return -EINVAL; // a thread's tid names no process (pid_has_task(PIDTYPE_TGID))
    const f = p.open(target.pid, (flags & PIDFD_NONBLOCK) !== 0);
    const fd = t.fds.install(f, true);
    if (fd < 0) f.put();
    return fd;
  });

  k.table.define(424, 'pidfd_send_signal', ['fd', 'sig', 'ptr', 'hex'], (t, [pidfd, sig, info, flags]) => {
    if (flags !== 0) return -EINVAL;
    const f = t.fds.get(pidfd);
    if (!f) return -EBADF;
    if (!(f.ops instanceof PidFd)) return -EBADF;
    if (sig < 0 || sig > NSIG) return -EINVAL;
    if (info !== 0) return -EINVAL; // siginfo from user space is not modelled
    const target = f.ops.task;
    if (!target) return -ESRCH;
    if (t.creds.euid !== 0 && t.creds.uid !== target.creds.uid && t.creds.euid !== target.creds.uid) return -EPERM;
    if (target.group.threads.length > 0 && !initIgnores(t, target, sig)) k.sendProcessSignal(target, sig);
    return 0;
  });
  return p;
}
