// A task: one thread, schedulable by the scheduler. The threads of a
// process (CLONE_THREAD) share a ThreadGroup; what else they share (address
// space, fd table, cwd/umask, signal dispositions) is the same object in
// each task, as the clone flags asked. A step runs the task's pending syscall in the kernel (to
// completion, or until it sleeps) and then its user side up to the next
// syscall, which becomes the next scheduling point.
import { SYSCALL_TICKS } from '../sched/clock.ts';
import type { SimThread, ThreadState } from '../sched/thread.ts';
import { WaitQueue, type Waker } from '../sched/waitqueue.ts';
import type { AddressSpace } from '../hw/memory.ts';
import type { UserContext } from './context.ts';
import type { FdTable } from './fdtable.ts';
import { fdputAll } from './fdget.ts';
import type { Kernel } from './kernel.ts';
import { SignalState } from './signal.ts';
import type { OpenFile } from './file.ts';
import type { CallView } from './strace.ts';
import { PREEMPT, type SyscallDef, type SyscallGen } from './syscall.ts';
import type { Creds, Inode } from './vfs.ts';
import type { KernelLock } from './lock.ts';
import { UserIO } from './userio.ts';
import type { Nsproxy, PidNamespace } from './namespaces.ts';

type Phase = 'user' | 'kernel';

/** cwd and umask (Linux's fs_struct): shared by CLONE_FS, copied otherwise. */
export interface FsState {
  cwd: Inode;
  umask: number;
}

/** A process: its threads (CLONE_THREAD), the first of which is the leader whose pid is the tgid. */
export class ThreadGroup {
  /** live threads, in order of creation */
  readonly threads: Task[] = [];
  /** set when exit_group or a fatal signal ends the whole group: the process's wait status */
  exitStatus: number | null = null;
  /** the process group and session (global pids of their leaders; pgrp.ts) */
  pgid: number;
  sid: number;
  /** does this process lead its session (setsid) */
  sessionLeader = false;
  /** has it called execve since its fork (PF_FORKNOEXEC cleared): its parent may no longer setpgid it */
  execed = false;
  constructor(readonly leader: Task) {
    this.pgid = this.sid = leader.pid;
  }
}

export class Task implements SimThread {
  state: ThreadState = 'runnable';
  waitingOn: string | null = null;
  wakePending = false;
  /** the queues its waker is registered on while it sleeps (sleepOn, sleepOnAny), for the wake-duty checker */
  sleepingOn: readonly WaitQueue[] | null = null;
  /** counts its sleeps (sleepsOn), so that the wake-duty checker tells a new sleep from the same one */
  sleepCount = 0;
  readonly waker: Waker;
  readonly label: string;

  /** the process that forked this one (a group leader); null for threads other than the leader and orphans */
  parent: Task | null;
  /** forked children (kept on the group leader) */
  readonly children: Task[] = [];
  /** the process this thread belongs to */
  readonly group: ThreadGroup;
  fs: FsState;
  /** parent sleeps here in wait4; woken when a child exits */
  readonly childExit: WaitQueue;
  /** private queue for timed sleeps (nanosleep) */
  readonly timerQueue: WaitQueue;
  sig = new SignalState();
  /** the pid namespace this task's pid belongs to (task_active_pid_ns), set by whoever creates it */
  pidNs!: PidNamespace;
  /** its namespaces: the one its children are born in, and the network one (unshare changes them) */
  nsproxy!: Nsproxy;

  /** set for a CLONE_VFORK child: its parent sleeps on `queue` until it execs or exits */
  vfork: { done: boolean; queue: WaitQueue } | null = null;
  /** CLONE_CHILD_CLEARTID address: zeroed (and futex-woken) at exit */
  clearChildTid = 0;
  /** exited and waiting to be reaped */
  zombie = false;
  /** the thread's command name (task->comm: at most TASK_COMM_LEN - 1 = 15 bytes): its program's base name, or prctl(PR_SET_NAME)'s */
  comm: string;
  /** prctl(PR_SET_PDEATHSIG): the signal this thread's process gets when its parent process exits (0: none) */
  pdeathSignal = 0;
  /** prctl(PR_SET_DUMPABLE) and PR_SET_NO_NEW_PRIVS, as read back by their PR_GET_ options */
  dumpable = 1;
  noNewPrivs = false;
  /** wait4 status word once exited */
  exitStatus = 0;

  /** where the task is: about to run user code, or inside (or about to enter) a syscall */
  private phase: Phase = 'user';
  /**
   * The finished syscall's result, handed to user code when it next resumes
   * (undefined at the start or after a preemption). It may be -ERESTARTSYS:
   * signal delivery turns that into -EINTR when a handler without
   * SA_RESTART runs; otherwise the context restarts the syscall.
   */
  pendingResult: number | undefined = undefined;
  /** the running handler, while a syscall is in progress (blocked or preempted) */
  private current: SyscallGen | null = null;
  /** the user side; set by whoever creates the task, right after construction */
  ctx!: UserContext;
  /** coverage: the state of the object the current syscall acted on, and how often it slept */
  coverObject = '-';
  coverSleeps = 0;
  /** open files the running syscall holds a reference to (fdget.ts); put when it ends */
  held: OpenFile[] = [];
  /** decoded arguments of the pending syscall (reused) */
  readonly argv: number[] = [0, 0, 0, 0, 0, 0];
  /** the user buffer of its read or write calls (reused: UserIO.buffer) */
  readonly io: UserIO;
  /** while recording a trace: the current call's decoder view, and its fd table at entry (for fd events) */
  traceView: { view: CallView; def: SyscallDef } | null = null;
  traceFds: Map<number, OpenFile> | null = null;
  /** kernel locks this task holds, in acquisition order (lock.ts) */
  readonly locksHeld: KernelLock[] = [];
  /** the lock it waits for (a mutex it sleeps on, a spinlock it spins on), if any */
  waitingLock: KernelLock | null = null;
  /** stopped inside a syscall at an interleaving point (PREEMPT or a lock), not asleep */
  private parked = false;

  constructor(
    readonly kernel: Kernel,
    readonly pid: number,
    readonly name: string,
    parent: Task | null,
    public creds: Creds,
    public fds: FdTable,
    public mm: AddressSpace,
    cwd: Inode,
    umask: number,
    /** the thread group to join (CLONE_THREAD); a new process when absent */
    group?: ThreadGroup,
  ) {
    this.parent = parent;
    this.comm = name.slice(0, 15);
    if (!fds.key) {
      fds.key = `fdt:${pid}`;
      fds.recorder = kernel.sched.recorder;
    }
    this.group = group ?? new ThreadGroup(this);
    this.group.threads.push(this);
    this.fs = { cwd, umask };
    this.io = UserIO.forTask(mm);
    const leader = this.group.leader;
    // A thread shows its process's name, and its own when it has another (a named script thread).
    this.label = leader === this ? `pid ${pid} (${name})`
      : `pid ${leader.pid} (${leader.name}) thread ${pid}${name !== leader.name ? ` (${name})` : ''}`;
    this.waker = kernel.sched.wakerFor(this);
    this.childExit = new WaitQueue(`exit of a child of pid ${pid}`);
    this.timerQueue = new WaitQueue(leader === this ? `timer of pid ${pid}` : `timer of thread ${pid}`);
  }

  /** Notes that it goes to sleep on `queues` (its waker is on each), for the wake-duty checker. */
  sleepsOn(queues: readonly WaitQueue[]): void {
    this.sleepingOn = queues;
    this.sleepCount++;
  }

  get tid(): number {
    return this.pid;
  }

  get midSyscall(): boolean {
    return this.current !== null;
  }

  /**
   * Does it occupy a hart it cannot give up (the SMP model, --harts)? A
   * spinlock waiter spins on its hart; a task stopped at an interleaving
   * point inside a syscall keeps its hart unless the kernel is preemptible,
   * and even then while it holds a spinlock (spin_lock disables preemption).
   */
  get onHart(): boolean {
    if (this.waitingLock) return this.waitingLock.kind === 'spin';
    if (!this.parked || this.state !== 'runnable') return false;
    return !this.kernel.config.kernelPreemption || this.holdsSpinlock();
  }

  holdsSpinlock(): boolean {
    // asked at every sleep, most often holding nothing: an indexed loop makes no iterator
    const held = this.locksHeld;
    for (let i = 0; i < held.length; i++) if (held[i].kind === 'spin') return true;
    return false;
  }

  /** The syscall it is in (or about to enter), by name; null in user mode. */
  get syscallName(): string | null {
    if (this.phase !== 'kernel') return null;
    return this.kernel.table.get(this.ctx.args.nr)?.name ?? `syscall ${this.ctx.args.nr}`;
  }

  get tgid(): number {
    return this.group.leader.pid;
  }

  get cwd(): Inode {
    return this.fs.cwd;
  }

  set cwd(i: Inode) {
    this.fs.cwd = i;
  }

  get umask(): number {
    return this.fs.umask;
  }

  set umask(m: number) {
    this.fs.umask = m;
  }

  /** Drops the syscall in progress (its handler's cleanup runs): the task is being ended from outside. */
  abandonSyscall(): void {
    if (this.current) {
      this.current.return(0);
      this.current = null;
    }
    // Linux would let the thread leave the kernel first; ended here at once, its locks go with it.
    while (this.locksHeld.length > 0) this.locksHeld[this.locksHeld.length - 1].release(this);
    this.parked = false;
    fdputAll(this);
    this.phase = 'user';
  }

  /** Where the task is, for limit reports. */
  where(): string {
    const name = this.kernel.table.get(this.ctx.args.nr)?.name ?? `syscall ${this.ctx.args.nr}`;
    if (this.state === 'blocked') return `sleeps on ${this.waitingOn ?? '?'} in ${name}()`;
    if (this.phase === 'kernel') return `runnable, in ${name}()`;
    const at = this.ctx.where?.();
    return `runnable in user mode${at ? ` ${at}` : ''}`;
  }

  /** Starts a fork child: its first step resumes user code with 0 as the syscall result. */
  startAsChild(): void {
    this.pendingResult = 0;
  }

  step(): number {
    const k = this.kernel;
    this.parked = false;
    if (k.sched.recorder && k.sharesMemory(this)) k.sched.recorder.global('threads share memory');
    // The group is exiting (exit_group, a fatal signal): a thread stopped at a
    // scheduling point outside a syscall ends there without running more.
    if (this.group.exitStatus !== null && this.current === null) {
      k.exitThread(this, this.group.exitStatus);
      return 0;
    }
    if (this.phase === 'user') return this.runUser();
    let result: number;
    if (this.current === null) {
      const r = k.dispatch(this);
      if (typeof r === 'number') {
        result = r;
      } else {
        this.current = r;
        const done = this.poll();
        if (done === undefined) return SYSCALL_TICKS;
        result = done;
      }
    } else {
      k.traceResume(this);
      const done = this.poll();
      if (done === undefined) return SYSCALL_TICKS;
      result = done;
    }
    fdputAll(this);
    if (this.locksHeld.length > 0) k.lockdep.returnedHolding(this);
    k.syscallDone(this, result);
    if (this.state === 'exited') return SYSCALL_TICKS;
    this.pendingResult = result;
    this.phase = 'user';
    return SYSCALL_TICKS + this.runUser();
  }

  /** Drives the running handler until it completes (the result) or parks (undefined). */
  private poll(): number | undefined {
    const gen = this.current!;
    for (;;) {
      const it = gen.next();
      if (it.done) {
        this.current = null;
        return it.value;
      }
      const y = it.value;
      if (y === PREEMPT) {
        // Not a scheduling point on one hart while a spinlock is held: spin_lock disabled preemption.
        if (!this.kernel.smp || (this.kernel.config.harts === 1 && this.holdsSpinlock())) continue;
        this.parked = true;
        return undefined;
      }
      if (!this.waitingLock && this.holdsSpinlock()) this.kernel.lockdep.sleepsAtomic(this, y.name);
      const on = this.waitingLock ? this.waitingLock.describeWait() : y.name;
      if (this.kernel.sched.block(this, on)) {
        this.kernel.traceBlock(this, on);
        return undefined;
      }
    }
  }

  /** Returns to user mode: delivers signals, then runs user code to its next stop. */
  private runUser(): number {
    const k = this.kernel;
    if (!k.deliverSignals(this)) return 0;
    const stop = this.ctx.resume(this.pendingResult);
    this.pendingResult = undefined;
    const ticks = this.ctx.lastTicks;
    switch (stop.kind) {
      case 'syscall':
        this.phase = 'kernel';
        break;
      case 'preempt':
        break;
      case 'exit':
        k.exitTask(this, (stop.code & 0xff) << 8);
        break;
      case 'fault':
        if (stop.oom) k.oomKill(this, stop.detail);
        else k.faultTask(this, stop.signal, stop.detail);
        break;
      case 'error':
        k.scriptError(this, stop.message);
        break;
    }
    return ticks;
  }
}

/**
 * What copy_process copies from the parent thread besides memory, files and
 * signals: comm (a script child named after its own program keeps that
 * name), the dumpable flag and no_new_privs; pdeath_signal starts cleared.
 */
export function inheritTaskState(child: Task, parent: Task): void {
  if (child.name === parent.name) child.comm = parent.comm;
  child.dumpable = parent.dumpable;
  child.noNewPrivs = parent.noNewPrivs;
}
