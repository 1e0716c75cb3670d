// flock(2) (fs/locks.c, flock_lock_inode): advisory whole-file locks held by
// an open file description, so dup'd and inherited fds share one lock and a
// second open of the same file contends with it. LOCK_EX excludes every
// other lock, LOCK_SH only LOCK_EX. A description converting its lock drops
// the old one first (waking waiters), as Linux does. A contended request
// sleeps, interruptibly, on the inode's queue unless LOCK_NB asks for
// EWOULDBLOCK; every release wakes the queue and waiters re-check. A lock
// goes with LOCK_UN or the description's last close (locks_remove_file).
import { EAGAIN, EBADF, EINVAL } from './errno.ts';
import type { OpenFile, ReleaseWatcher } from './file.ts';
import type { Kernel } from './kernel.ts';
import type { SyscallGen } from './syscall.ts';
import type { Task } from './task.ts';
import { sleepOn } from './wait.ts';
import { WaitQueue } from '../sched/waitqueue.ts';

const LOCK_SH = 1, LOCK_EX = 2, LOCK_NB = 4, LOCK_UN = 8;

/** The locks on one file (its inode, or the socket, pipe or device object behind a file without one). */
class FileLocks implements ReleaseWatcher {
  readonly holders = new Map<OpenFile, 'sh' | 'ex'>();
  readonly wait: WaitQueue;

  constructor(
    private readonly all: Map<object, FileLocks>,
    private readonly key: object,
    name: string,
  ) {
    this.wait = new WaitQueue(`flock of ${name}`);
  }

  conflicts(f: OpenFile, kind: 'sh' | 'ex'): boolean {
    for (const [holder, k] of this.holders) if (holder !== f && (kind === 'ex' || k === 'ex')) return true;
    return false;
  }

  release(f: OpenFile): void {
    if (!this.holders.delete(f)) return;
    const i = f.watchers?.indexOf(this) ?? -1;
    if (i >= 0) f.watchers!.splice(i, 1);
    this.wait.wakeAll();
    if (this.holders.size === 0) this.all.delete(this.key);
  }

  fileReleased(f: OpenFile): void {
    this.release(f);
  }
}

export function registerFlock(k: Kernel): void {
  const all = new Map<object, FileLocks>();
  const locksOf = (f: OpenFile): FileLocks => {
    const key = f.inode ?? f.ops;
    let l = all.get(key);
    if (!l) {
      l = new FileLocks(all, key, f.ops.describe(f));
      all.set(key, l);
    }
    return l;
  };

  function* flock(t: Task, fd: number, op: number): SyscallGen {
    const f = t.fds.get(fd);
    if (!f || f.ops.kind === 'path') return -EBADF;
    const cmd = op & ~LOCK_NB;
    if (cmd === LOCK_UN) {
      all.get(f.inode ?? f.ops)?.release(f);
      return 0;
    }
    if (cmd !== LOCK_SH && cmd !== LOCK_EX) return -EINVAL;
    const kind = cmd === LOCK_EX ? 'ex' : 'sh';
    let locks = locksOf(f);
    if (locks.holders.get(f) === kind) return 0;
    // a conversion gives the old lock up first
    if (locks.holders.has(f)) locks.release(f);
    for (;;) {
      locks = locksOf(f);
      if (!locks.conflicts(f, kind)) break;
      if (op & LOCK_NB) return -EAGAIN;
      const err = yield* sleepOn(t, locks.wait);
      if (err) return err;
    }
    if (!locks.holders.has(f)) (f.watchers ??= []).push(locks);
    locks.holders.set(f, kind);
    return 0;
  }

  k.table.define(32, 'flock', ['fd', 'int'], (t, [fd, op]) => flock(t, fd, op));
}
