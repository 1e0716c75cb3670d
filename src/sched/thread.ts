// What the scheduler runs: anything that can take one step from one
// scheduling point to the next. The kernel's tasks implement it; the
// scheduler knows nothing else about them.

/**
 * Kernel threads' ids (src/kernel/kthread.ts): above Linux's PID_MAX_LIMIT
 * (2^22), so that one never takes a pid a guest's fork would get, and the
 * strace-style text can leave their events out.
 */
export const KTHREAD_TID_BASE = 4_194_304;

export type ThreadState = 'runnable' | 'blocked' | 'exited';

export interface SimThread {
  /** stable id, also the pick recorded in the trace (a task's pid) */
  readonly tid: number;
  /** human name for reports, e.g. "pid 2 (server)" */
  readonly label: string;
  state: ThreadState;
  /** while blocked: the name of what it sleeps on (for deadlock reports) */
  waitingOn: string | null;
  /** a wake arrived while the thread was running, before it could block */
  wakePending: boolean;
  /** inside a syscall that slept or was preempted (its handler holds objects in locals) */
  readonly midSyscall?: boolean;
  /**
   * Occupies a hart it cannot give up (inside the kernel, see Task.onHart):
   * when every hart is so occupied, only these threads can run (--harts)
   */
  readonly onHart?: boolean;
  /**
   * A kernel thread waiting for work (src/kernel/kthread.ts): it does not
   * keep a run alive (a run whose other threads all exited ends normally)
   * and is not one of a deadlock's sleepers
   */
  readonly idle?: boolean;
  /** Runs from the current scheduling point to the next; returns the virtual ticks it used. */
  step(): number;
  /** Where the thread is now, for reports of a run stopped by a limit ("at pc 0x1234 in user mode"). */
  where?(): string;
}
