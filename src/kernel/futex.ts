// Futexes, keyed by address space and address: the threads of one process
// (one AddressSpace object) meet on the same key, forked processes (another
// AddressSpace) never do. Shared (non-private) futexes across processes are
// not modelled: MAP_SHARED memory is not shared here, so a private and a
// shared futex differ only in name. A waiter sleeps until a FUTEX_WAKE
// marks it woken; any other wake is spurious and re-checked.
import type { AddressSpace } from '../hw/memory.ts';
import { TICKS_PER_SECOND } from '../sched/clock.ts';
import { WaitQueue } from '../sched/waitqueue.ts';
import { EAGAIN, EFAULT, EINVAL, ETIMEDOUT } from './errno.ts';
import type { SyscallGen } from './syscall.ts';
import type { Task } from './task.ts';
import { getI64, getU32 } from './uaccess.ts';
import { sleepOnUntil } from './wait.ts';

/** CLOCK_REALTIME at virtual time 0 (as in syscalls/proc.ts). */
const REALTIME_EPOCH = 1767225600 * TICKS_PER_SECOND;

interface Waiter {
  /** the address it waits on (FUTEX_REQUEUE moves it) */
  addr: number;
  task: Task;
  woken: boolean;
  queue: WaitQueue;
}

export class Futexes {
  /** waiters per address space, then per address (insertion-ordered) */
  private readonly waiters = new Map<AddressSpace, Map<number, Waiter[]>>();

  *wait(t: Task, uaddr: number, val: number, timeout: number, absolute: boolean, realtime: boolean): SyscallGen {
    if (uaddr % 4 !== 0) return -EINVAL;
    const cur = getU32(t.mm, uaddr);
    if (cur === null) return -EFAULT;
    if (cur !== val >>> 0) return -EAGAIN;
    let deadline = Infinity;
    if (timeout) {
      const sec = getI64(t.mm, timeout), nsec = getI64(t.mm, timeout + 8);
      if (sec === null || nsec === null) return -EFAULT;
      if (sec < 0 || nsec < 0 || nsec >= TICKS_PER_SECOND) return -EINVAL;
      const ticks = sec * TICKS_PER_SECOND + nsec;
      const now = t.kernel.sched.clock.now;
      deadline = absolute ? ticks - (realtime ? REALTIME_EPOCH : 0) : now + ticks;
    }
    const mm = t.mm;
    const w: Waiter = { addr: uaddr, task: t, woken: false, queue: new WaitQueue(`futex 0x${uaddr.toString(16)}`) };
    let byAddr = this.waiters.get(mm);
    if (!byAddr) this.waiters.set(mm, (byAddr = new Map()));
    let list = byAddr.get(uaddr);
    if (!list) byAddr.set(uaddr, (list = []));
    list.push(w);
    try {
      while (!w.woken) {
        const r = yield* sleepOnUntil(t, w.queue, deadline);
        if (w.woken) break;
        if (r === 1) return -ETIMEDOUT;
        if (r < 0) return r;
      }
      return 0;
    } finally {
      this.unlink(mm, w);
    }
  }

  private unlink(mm: AddressSpace, w: Waiter): void {
    const m = this.waiters.get(mm);
    const l = m?.get(w.addr);
    if (!m || !l) return;
    const i = l.indexOf(w);
    if (i >= 0) l.splice(i, 1);
    if (l.length === 0) m.delete(w.addr);
    if (m.size === 0) this.waiters.delete(mm);
  }

  /**
   * FUTEX_REQUEUE / FUTEX_CMP_REQUEUE: wakes up to nWake waiters on uaddr and
   * moves up to nRequeue of the rest to uaddr2; returns how many it woke or
   * moved. `expected` (CMP_REQUEUE) must equal *uaddr, else -EAGAIN.
   */
  requeue(t: Task, uaddr: number, nWake: number, nRequeue: number, uaddr2: number, expected: number | null): number {
    if (uaddr % 4 !== 0 || uaddr2 % 4 !== 0) return -EINVAL;
    if (nWake < 0 || nRequeue < 0) return -EINVAL;
    if (expected !== null) {
      const cur = getU32(t.mm, uaddr);
      if (cur === null) return -EFAULT;
      if (cur !== expected >>> 0) return -EAGAIN;
    }
    const mm = t.mm;
    const list = this.waiters.get(mm)?.get(uaddr);
    if (!list) return 0;
    let woken = 0, moved = 0;
    for (const w of [...list]) {
      if (w.woken) continue;
      if (woken < nWake) {
        w.woken = true;
        w.queue.wakeAll();
        woken++;
      } else if (moved < nRequeue && uaddr2 !== uaddr) {
        this.unlink(mm, w);
        w.addr = uaddr2;
        const m = this.waiters.get(mm) ?? new Map<number, Waiter[]>();
        this.waiters.set(mm, m);
        const l2 = m.get(uaddr2) ?? [];
        m.set(uaddr2, l2);
        l2.push(w);
        moved++;
      } else break;
    }
    return woken + moved;
  }

  /** Wakes up to n waiters on (mm, uaddr); returns how many. */
  wake(mm: AddressSpace, uaddr: number, n: number): number {
    const list = this.waiters.get(mm)?.get(uaddr);
    if (!list) return 0;
    let woken = 0;
    for (const w of list) {
      if (woken >= n) break;
      if (w.woken) continue;
      w.woken = true;
      w.queue.wakeAll();
      woken++;
    }
    return woken;
  }
}
