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
//
// It also checks the other half of a sleep (finish_wait): once a task has
// run on after a sleep ended, its waker is on none of that sleep's queues
// and it no longer counts as sleeping. A waker left registered turns every
// later wake of the queue into a spurious wakeup of a running task (and,
// for wakeOne, a wake given to it instead of a real sleeper).
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
  /** the queues of each task's last sleep, kept after it ends */
  private readonly lastSleep = new Map<Task, readonly WaitQueue[]>();

  constructor(private readonly k: Kernel) {}

  /** A violation message, or null. Called after every step (with the kernel invariants). */
  check(): string | null {
    const ran = this.k.sched.previous;
    for (const t of this.k.tasks.values()) {
      const on = t.state === 'blocked' ? t.sleepingOn : null;
      if (!on) {
        this.sleeps.delete(t);
        // the task just took a step that ended outside any syscall: whatever it slept on last, it sleeps no more
        if (t === ran && !t.midSyscall) {
          if (t.sleepingOn) return `sleep not finished: ${t.label} runs on but still counts as sleeping on ${t.sleepingOn.map((q) => q.name).join(', ')}`;
          for (const q of this.lastSleep.get(t) ?? []) {
            if (q.has(t.waker)) return `sleep not finished: ${t.label} runs on with its waker still on ${q.name}`;
          }
        }
        continue;
      }
      this.lastSleep.set(t, on);
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
