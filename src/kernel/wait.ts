// Sleeping, as kernel handlers do it: check the condition, register this
// task's waker on the queue, return Pending (yield), and re-check after the
// wake, because a wake is only a hint that something changed.
//
//   while (!condition) {
//     const err = yield* sleepOn(t, q);
//     if (err) return err;         // a signal arrived: -EINTR / -ERESTARTSYS
//   }
import type { WaitQueue } from '../sched/waitqueue.ts';
import { EINTR, ERESTARTSYS } from './errno.ts';
import type { KernelYield } from './syscall.ts';
import type { Task } from './task.ts';

/**
 * Sleeps on q until woken; returns 0, or -ERESTARTSYS if a signal is pending
 * (interruptible sleep). `unlock`, if given, drops the caller's locks once
 * the waker is on q (prepare_to_wait; unlock; schedule), so a wake issued
 * when they are dropped is not lost; it runs on every path, once.
 */
export function* sleepOn(t: Task, q: WaitQueue, unlock?: () => void): Generator<KernelYield, number, void> {
  const err = prepareToWait(t, q);
  unlock?.();
  if (err) return err;
  try {
    yield q;
  } finally {
    finishWait(t, q); // also when the handler is abandoned (the task died asleep)
  }
  return t.kernel.signalPending(t) ? -ERESTARTSYS : 0;
}

/**
 * prepare_to_wait, for a handler that sleeps without a generator of its
 * own, as sleepOn does it: 0 once t's waker is on q, or the error to return
 * instead of sleeping. Then: drop the locks, `try { yield q } finally {
 * finishWait(t, q) }`, and -ERESTARTSYS if a signal is pending.
 */
export function prepareToWait(t: Task, q: WaitQueue): number {
  // signal_pending before schedule(): a signal already here has sent no wake, and none will come
  if (t.kernel.signalPending(t) && !t.kernel.bug('sleep-ignores-pending-signal')) return -ERESTARTSYS;
  // --eintr: a signal whose handler has no SA_RESTART arrives as the task goes to sleep.
  if (t.kernel.faults?.interruptSleep()) return -EINTR;
  t.wakePending = false;
  q.add(t.waker);
  t.sleepsOn(q.alone);
  return 0;
}

/** finish_wait: t is off q again (woken, or abandoned asleep). */
export function finishWait(t: Task, q: WaitQueue): void {
  t.sleepingOn = null;
  if (!t.kernel.bug('sleep-keeps-waker')) q.remove(t.waker);
}

/** Linux's KTIME_MAX in ticks (1 tick = 1 ns). */
export const KTIME_MAX = 2 ** 63;

/**
 * Sleeps on q until woken or until virtual time `deadline` (Infinity: no
 * timeout). Returns 0 when woken, 1 when the deadline passed, or
 * -ERESTARTSYS on a signal.
 */
export function* sleepOnUntil(t: Task, q: WaitQueue, deadline: number, unlock?: () => void): Generator<KernelYield, number, void> {
  if (deadline === Infinity) return yield* sleepOn(t, q, unlock); // no timeout: no timer, and never "deadline passed"
  const sched = t.kernel.sched;
  // ktime saturates at KTIME_MAX (2^63 - 1 ns): a far-future sleep ends there, where the clock still counts
  if (deadline > KTIME_MAX) deadline = KTIME_MAX;
  if (sched.clock.now >= deadline) {
    unlock?.();
    return 1;
  }
  const timer = sched.at(deadline, () => sched.wake(t, `timer@${deadline}`));
  const r = yield* sleepOn(t, q, unlock);
  sched.events.cancel(timer);
  if (r) return r;
  return sched.clock.now >= deadline ? 1 : 0;
}
