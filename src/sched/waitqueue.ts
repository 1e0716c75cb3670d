// Wait queues and wakers, as an async kernel has them: a sleeper registers
// its waker on the object it waits for and returns Pending; whoever changes
// that object's state wakes the queue, which makes the sleepers runnable.
// The woken task is re-polled later by the scheduler, not at once, so other
// tasks may run in between: the gap where lost-wakeup races live.
//
// A queue's `policy` selects a registration discipline. 'list' is correct;
// the others are designs that small async kernels really ship, kept as
// named variants so property tests can be shown to find them:
//   'single-slot'   one waker slot: the latest registration overwrites the
//                   previous one (two acceptors, one is never woken);
//   'register-once' a task registers only the first time it sleeps on the
//                   queue; the "registered" flag is not re-armed after a
//                   wake, so a second sleep is never woken.
import type { FootprintRecorder } from './footprint.ts';
import type { SimThread } from './thread.ts';

export type WaitPolicy = 'list' | 'single-slot' | 'register-once';

export class Waker {
  constructor(
    readonly owner: SimThread,
    /** `key` is the wakeup's poll key (the events it signals, Linux's wake_up_poll key); 0 = any */
    private readonly onWake: (w: Waker, source: WaitQueue, key: number) => void,
    /** records the queues this waker's owner registers on and is woken from (dpor), when exploring */
    readonly recorder: FootprintRecorder | null = null,
  ) {}

  wake(source: WaitQueue, key = 0): void {
    this.onWake(this, source, key);
  }
}

export class WaitQueue {
  private wakers: Waker[] = [];
  /** register-once only: tasks whose one registration has been used */
  private registeredOnce: Set<Waker> | null = null;
  /**
   * The condition its sleepers wait for ("data readable", "backlog not
   * full"), stated by the object that owns the queue; null when it has no
   * single one. Only the wake-duty checker (src/kernel/wake-duty.ts) asks.
   */
  ready: (() => boolean) | null = null;
  /** this queue as a list of one (what a sleeper on it alone is sleeping on: Task.sleepingOn) */
  readonly alone: readonly WaitQueue[] = [this];

  constructor(
    readonly name: string,
    readonly policy: WaitPolicy = 'list',
  ) {}

  /** States the queue's wait condition (see `ready`); returns the queue. */
  readyWhen(condition: () => boolean): this {
    this.ready = condition;
    return this;
  }

  get length(): number {
    return this.wakers.length;
  }

  /** Is w registered (the wake-duty checker: a waker left on after its sleep ended)? */
  has(w: Waker): boolean {
    return this.wakers.includes(w);
  }

  /** Registers a waker (idempotent for the same waker under 'list'). */
  add(w: Waker): void {
    w.recorder?.write(`q:${this.name}`);
    switch (this.policy) {
      case 'list':
        if (!this.wakers.includes(w)) this.wakers.push(w);
        return;
      case 'single-slot':
        this.wakers[0] = w;
        return;
      case 'register-once':
        this.registeredOnce ??= new Set();
        if (this.registeredOnce.has(w)) return; // BUG (planted): flag never re-armed
        this.registeredOnce.add(w);
        this.wakers.push(w);
        return;
    }
  }

  remove(w: Waker): void {
    w.recorder?.write(`q:${this.name}`);
    const i = this.wakers.indexOf(w);
    if (i < 0) return;
    if (i === this.wakers.length - 1) this.wakers.pop(); // the usual lone sleeper: cheaper than splice
    else this.wakers.splice(i, 1);
  }

  /** Wakes the oldest sleeper. */
  wakeOne(): void {
    const w = this.wakers.shift();
    if (w) {
      w.recorder?.write(`q:${this.name}`);
      w.wake(this);
    }
  }

  /**
   * Wakes every sleeper (in registration order). `key` says which poll
   * events the change signals (0: unspecified, which reaches everyone): an
   * edge-triggered epoll entry ignores a wakeup for events it did not ask for.
   */
  wakeAll(key = 0): void {
    const n = this.wakers.length;
    if (n === 0) return;
    // The usual lone sleeper is taken off the list itself, which keeps its storage for the next sleep.
    if (n === 1) return this.wake(this.wakers.pop()!, key);
    const ws = this.wakers;
    this.wakers = [];
    for (const w of ws) this.wake(w, key);
  }

  private wake(w: Waker, key: number): void {
    w.recorder?.write(`q:${this.name}`);
    w.wake(this, key);
  }
}
