// Kernel locks as objects: spinlocks and mutexes with an owner task, as
// Linux's spinlock_t and struct mutex. Handlers take them where Linux does:
//
//   yield* u.lock.acquire(t);      // unix_state_lock(sk)
//   ... read and change the socket ...
//   u.lock.release(t);             // unix_state_unlock(sk)
//
// Under the SMP model (--harts N > 1, or --kernel-preempt) an acquisition is
// a scheduling point: another hart may run up to its own next point before
// this task takes the lock. A task that finds the lock held is not
// runnable: a mutex waiter sleeps, a spinlock waiter spins on its hart (it
// keeps the hart, see Task.onHart); neither is interruptible by a signal.
// release() hands the lock to the oldest waiter and wakes it (a queued
// spinlock and the mutex's hand-off are FIFO too).
//
// With one hart and no kernel preemption nothing ever finds a lock held
// (a handler never sleeps or yields holding one), acquire() yields nothing,
// and a run is exactly what it was before locks existed.
import { WaitQueue } from '../sched/waitqueue.ts';
import { PREEMPT, type KernelYield } from './syscall.ts';
import type { Task } from './task.ts';

export type LockKind = 'spin' | 'mutex';

/** What acquire() returns for a lock taken at once: an iteration that is already over. */
const DONE: IteratorReturnResult<void> = { done: true, value: undefined };
const TAKEN: IterableIterator<KernelYield, void, void> = {
  next: () => DONE,
  [Symbol.iterator]() {
    return this;
  },
};

export interface KernelLockOptions {
  /**
   * The lock's class, Linux's lock_class_key ("&u->lock"), which Linux's
   * lockdep keys its graph by; lockdep.ts keys by instance and keeps the
   * class for whoever reads the lock. Defaults to the name.
   */
  lockClass?: string;
  /**
   * Where the lock sorts for ordered double locking (unix_state_double_lock
   * takes the lower address first, a socket's lock uses its inode number);
   * without it, the kernel numbers locks in the order they are first double-locked.
   */
  order?: number;
}

export class KernelLock {
  /** the task holding the lock, or null when it is free */
  owner: Task | null = null;
  readonly lockClass: string;
  private order: number | undefined;
  /** tasks waiting for the lock, and deferred work (whenFree), oldest first: release() hands it to the first */
  private readonly waiters: (Task | Deferred)[] = [];
  /** what a waiter yields (made at the first contention); nobody registers on it: release wakes the next owner directly */
  private queue: WaitQueue | null = null;
  /** lockdep's memo: a lock that was held (alone) when this one was taken, so the edge between them is recorded */
  lockdepAfter: KernelLock | null = null;

  constructor(
    readonly name: string,
    readonly kind: LockKind,
    opts: KernelLockOptions = {},
  ) {
    this.lockClass = opts.lockClass ?? name;
    this.order = opts.order;
  }

  /**
   * spin_lock / mutex_lock (not interruptible), for `yield*`. Without the
   * SMP model a free lock is simply taken, with no generator made: the
   * syscall path takes several locks per call.
   */
  acquire(t: Task): Iterable<KernelYield, void, void> {
    return this.acquireNow(t) ? TAKEN : this.acquireSlow(t);
  }

  /**
   * Takes the lock at once when taking it is neither an interleaving point
   * nor a wait (no SMP model, the lock free): true when taken, false (and
   * nothing done) otherwise. The direct syscall paths, which never make a
   * generator, take their locks with it and fall back to the generator
   * path when it says no.
   */
  acquireNow(t: Task): boolean {
    const k = t.kernel;
    if (k.smp || this.owner !== null) return false;
    k.sched.recorder?.write(this.key);
    k.lockdep.acquire(t, this);
    this.owner = t;
    t.locksHeld.push(this);
    return true;
  }

  /** acquire() with its interleaving point, or when the lock is held. */
  private *acquireSlow(t: Task): Generator<KernelYield, void, void> {
    const k = t.kernel;
    k.sched.recorder?.write(this.key);
    // The interleaving point: another hart may take the lock, or do what this lock would have ordered, first.
    if (k.smp) yield PREEMPT;
    k.lockdep.acquire(t, this);
    if (this.owner === null) {
      this.owner = t;
    } else {
      this.waiters.push(t);
      t.waitingLock = this;
      const q = (this.queue ??= new WaitQueue(`${this.kind === 'spin' ? 'spinlock' : 'mutex'} ${this.name}`));
      let got = false;
      try {
        while (this.owner !== t) {
          t.wakePending = false;
          yield q;
        }
        got = true;
      } finally {
        t.waitingLock = null;
        // Abandoned (its thread was ended) while waiting, or after the lock was handed to it: pass it on.
        const i = this.waiters.indexOf(t);
        if (i >= 0) this.waiters.splice(i, 1);
        if (!got && this.owner === t) this.handOff(t);
      }
    }
    t.locksHeld.push(this);
  }

  /** spin_unlock / mutex_unlock: hands the lock to the oldest waiter, if any, and wakes it. */
  release(t: Task): void {
    if (this.owner !== t) {
      throw new Error(`${t.label} releases ${this.kind} ${this.name}, held by ${this.owner?.label ?? 'nobody'}`);
    }
    const k = t.kernel;
    k.sched.recorder?.write(this.key);
    const held = t.locksHeld;
    // Locks are mostly dropped in reverse order: pop, which allocates nothing (splice makes an array).
    if (held[held.length - 1] === this) held.pop();
    else held.splice(held.lastIndexOf(this), 1);
    k.lockdep.release(t, this);
    if (this.waiters.length === 0) this.owner = null; // handOff with nobody to hand it to
    else this.handOff(t);
  }

  /** The lock goes to the oldest waiter, which is woken, or becomes free; deferred work on the way runs as it comes up. */
  private handOff(by: Task): void {
    const sched = by.kernel.sched;
    this.owner = null;
    for (;;) {
      const next = this.waiters.shift();
      if (!next) return;
      if (next instanceof Deferred) {
        next.run();
        if (this.owner !== null) return; // what it ran cannot take a lock, but stay safe
        continue;
      }
      this.owner = next;
      sched.recorder?.write(`t:${next.pid}`);
      for (const w of this.waiters) if (!(w instanceof Deferred)) w.waitingOn = this.describeWait();
      sched.wake(next, `unlock of ${this.name}`);
      return;
    }
  }

  /**
   * Runs `work` once the lock is free: now if it is, else when its holder
   * (and the waiters queued before) are done with it. For synchronous kernel
   * paths that Linux runs under the lock but that cannot wait in this model
   * (unix_release_sock, reached from close's last fput): the work happens as
   * if the closing task had spun for the lock.
   */
  whenFree(work: () => void, recorder: { write(key: string): void } | null): void {
    recorder?.write(this.key);
    if (this.owner === null) work();
    else this.waiters.push(new Deferred(work));
  }

  /** Runs `body` holding the lock (the common lock; ...; unlock shape). */
  *withLock<R>(t: Task, body: () => Generator<KernelYield, R, void> | R): Generator<KernelYield, R, void> {
    yield* this.acquire(t);
    try {
      const r = body();
      return isGenerator<R>(r) ? yield* r : r;
    } finally {
      if (this.owner === t) this.release(t);
    }
  }

  /** Is a task (or deferred work) waiting for it? */
  get contended(): boolean {
    return this.waiters.length > 0;
  }

  /** What a waiter sleeps or spins on, for deadlock reports: the lock and its holder. */
  describeWait(): string {
    const holder = this.owner ? `held by ${this.owner.label}${this.owner.syscallName ? ` in ${this.owner.syscallName}()` : ''}` : 'free';
    return this.kind === 'spin' ? `spinlock ${this.name} (spinning; ${holder})` : `mutex ${this.name} (${holder})`;
  }

  /** Its place in the double-lock order (given, or numbered by the kernel at first use). */
  orderIn(t: Task): number {
    return (this.order ??= t.kernel.nextLockOrder++);
  }

  /** The footprint key: taking or dropping the lock writes it (dpor). */
  get key(): string {
    return `lock:${this.name}`;
  }
}

/**
 * unix_state_double_lock: takes two locks lower order first, so that two
 * tasks locking the same pair never wait for each other (ABBA). One lock
 * when both are the same.
 */
export function* doubleLock(t: Task, a: KernelLock, b: KernelLock): Generator<KernelYield, void, void> {
  if (a === b) {
    yield* a.acquire(t);
    return;
  }
  const [first, second] = a.orderIn(t) < b.orderIn(t) ? [a, b] : [b, a];
  yield* first.acquire(t);
  yield* second.acquire(t);
}

/** unix_state_double_unlock. */
export function doubleUnlock(t: Task, a: KernelLock, b: KernelLock): void {
  a.release(t);
  if (b !== a) b.release(t);
}

/** Work queued behind a lock's waiters (whenFree). */
class Deferred {
  constructor(readonly run: () => void) {}
}

function isGenerator<R>(x: unknown): x is Generator<KernelYield, R, void> {
  return typeof x === 'object' && x !== null && typeof (x as Generator).next === 'function' && typeof (x as Generator).throw === 'function';
}
