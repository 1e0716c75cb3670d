// The wake-duty checker: after every step, no task may still sleep on a
// queue whose wait condition now holds, if it saw that condition false
// during this sleep. A missed wake is reported at the step that made the
// condition true without waking, not later as a deadlock (or never, when
// a timeout or an unrelated wake happens to rescue the sleeper).
//
// The checker is generic: each queue's owner states the condition where it
// creates the queue (`WaitQueue.readyWhen`: pipe readable, send buffer
// writable, backlog not full, ...); a queue without one is not checked.
// "Saw it false" matters for poll and select, which sleep on every queue of
// a file although they may wait for only one of its events: a poller that
// went to sleep while a queue's condition already held is owed no wake on
// it until the condition has been false and become true again.
import type { WaitQueue } from '../sched/waitqueue.ts';
import type { Kernel } from './kernel.ts';
import type { Task } from './task.ts';

interface Sleep {
  /** the task's sleepCount when first seen: another count is a new sleep */
  count: number;
  /** queues whose condition was false at some check during this sleep */
  armed: Set<WaitQueue>;
}

export class WakeDutyChecker {
  private readonly sleeps = new Map<Task, Sleep>();

  constructor(private readonly k: Kernel) {}

  /** A violation message, or null. Called after every step (with the kernel invariants). */
  check(): string | null {
    for (const t of this.k.tasks.values()) {
      const on = t.state === 'blocked' ? t.sleepingOn : null;
      if (!on) {
        this.sleeps.delete(t);
        continue;
      }
      let s = this.sleeps.get(t);
      if (!s || s.count !== t.sleepCount) {
        s = { count: t.sleepCount, armed: new Set() };
        this.sleeps.set(t, s);
      }
      for (const q of on) {
        if (!q.ready) continue;
        if (!q.ready()) s.armed.add(q);
        else if (s.armed.has(q)) return `wake duty missed: ${t.label} still sleeps on ${q.name}, whose wait condition now holds`;
      }
    }
    return null;
  }
}
