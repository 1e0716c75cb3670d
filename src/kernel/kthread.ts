// A kernel thread (Linux's kthread, here a worker like those of
// system_unbound_wq): a task with no user side whose body is a kernel
// generator, run by the scheduler like any task. It sleeps on its own queue
// while it has no work, and an idle kernel thread neither keeps a run alive
// nor counts as a deadlocked sleeper (SimThread.idle).
//
// Its interleaving points are a syscall handler's: `yield PREEMPT` and lock
// acquisitions are scheduling points under the SMP model (--harts N,
// --kernel-preempt), and on one hart the body runs from one sleep to the
// next in a single step. It enters no syscall, so the strace-style text
// shows nothing of it; the scheduler trace and Perfetto show its steps.
import { AddressSpace } from '../hw/memory.ts';
import { SYSCALL_TICKS } from '../sched/clock.ts';
import { WaitQueue } from '../sched/waitqueue.ts';
import { FdTable } from './fdtable.ts';
import type { Kernel } from './kernel.ts';
import { PREEMPT, type KernelYield } from './syscall.ts';
import { Task } from './task.ts';

export { KTHREAD_TID_BASE } from '../sched/thread.ts';

export class KernelThread extends Task {
  /** its body waits here for work (idle) */
  readonly work: WaitQueue;
  private readonly body: Generator<KernelYield, void, void>;
  /** stopped at an interleaving point (PREEMPT or a lock), not asleep */
  private stopped = false;

  constructor(k: Kernel, pid: number, name: string, body: (self: KernelThread) => Generator<KernelYield, void, void>) {
    super(k, pid, name, null, { uid: 0, gid: 0, euid: 0, egid: 0, suid: 0, sgid: 0 }, new FdTable(), new AddressSpace(k.memory), k.vfs.root, 0);
    this.work = new WaitQueue(`work of ${name}`);
    this.body = body(this);
  }

  /** Sleeps until `wakeWork()` (the body's "wait for the next work item"). */
  *idleWait(): Generator<KernelYield, void, void> {
    this.wakePending = false;
    this.work.add(this.waker);
    try {
      yield this.work;
    } finally {
      this.work.remove(this.waker);
    }
  }

  /** queue_work: the thread runs again (a no-op when it is not idle). */
  wakeWork(): void {
    this.work.wakeAll();
  }

  /** Waiting for work, not for a lock: nothing to do. */
  get idle(): boolean {
    return this.state === 'blocked' && this.waitingLock === null && this.waitingOn === this.work.name;
  }

  override get onHart(): boolean {
    if (this.waitingLock) return this.waitingLock.kind === 'spin';
    if (!this.stopped || this.state !== 'runnable') return false;
    if (!this.kernel.config.kernelPreemption) return true;
    return this.locksHeld.some((l) => l.kind === 'spin');
  }

  override get midSyscall(): boolean {
    return this.stopped || this.state === 'blocked';
  }

  override step(): number {
    this.stopped = false;
    for (;;) {
      const it = this.body.next();
      if (it.done) {
        this.state = 'exited';
        return SYSCALL_TICKS;
      }
      const y = it.value;
      if (y === PREEMPT) {
        // On one hart, or holding a spinlock on one preemptible hart, nothing runs in between.
        if (!this.kernel.smp || (this.kernel.config.harts === 1 && this.locksHeld.some((l) => l.kind === 'spin'))) continue;
        this.stopped = true;
        return SYSCALL_TICKS;
      }
      const on = this.waitingLock ? this.waitingLock.describeWait() : y.name;
      if (this.kernel.sched.block(this, on)) return SYSCALL_TICKS;
    }
  }

  override where(): string {
    if (this.idle) return 'idle (kernel thread)';
    if (this.state === 'blocked') return `sleeps on ${this.waitingOn ?? '?'} (kernel thread)`;
    return 'runnable (kernel thread)';
  }
}
