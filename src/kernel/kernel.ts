// The kernel: processes, the syscall table and its dispatch, exit and
// wait, signals, and the invariant checks that property tests turn on.
// Subsystems (files, pipes, AF_UNIX) register their syscalls into `table`.
import { AddressSpace } from '../hw/memory.ts';
import { DEFAULT_MEMORY_LIMIT, MemoryBudget } from '../hw/budget.ts';
import type { Rng } from '../sched/rng.ts';
import type { Scheduler } from '../sched/scheduler.ts';
import { SIGCHLD, SIGKILL, SIG_DFL, SIG_IGN } from './abi.ts';

export const CLONE_VM = 0x100, CLONE_FS = 0x200, CLONE_FILES = 0x400, CLONE_SIGHAND = 0x800, CLONE_THREAD = 0x10000;
import { Console, ConsoleFile } from './console.ts';
import type { Binfmt, UserContext } from './context.ts';
import { renderResult } from './errno.ts';
import { FdTable } from './fdtable.ts';
import { OpenFiles, type OpenFile } from './file.ts';
import { bit, defaultIgnores, SA_RESTART, SignalState, signalName } from './signal.ts';
import { Futexes } from './futex.ts';
import { putU32 } from './uaccess.ts';
import { EINTR, ENOMEM, ERESTARTSYS } from './errno.ts';
import { renderArgs, renderSyscall } from './strace.ts';
import { SyscallTable, decodeArg, type SyscallResult } from './syscall.ts';
import { Task } from './task.ts';
import { Vfs, type Creds } from './vfs.ts';
import { O_RDONLY, O_WRONLY } from './abi.ts';
import { checkInvariants } from './invariants.ts';
import { isPlantedBug, type PlantedBug } from './bugs.ts';

export interface KernelConfig {
  /** PREEMPT points inside handlers become scheduling points (the SMP model); off on one hart */
  kernelPreemption: boolean;
  /** check reference-count invariants after every step (property tests turn this on) */
  checkInvariants: boolean;
  /** also check, after every step, that no sleeper's wait condition holds unwoken (src/kernel/wake-duty.ts) */
  checkWakeDuties?: boolean;
  /** planted bugs to enable (see bugs.ts); none by default */
  bugs: readonly PlantedBug[];
  /** the run's memory budget in bytes (budget.ts): every page, buffer and task is charged to it */
  memoryLimit: number;
}

export const DEFAULT_CONFIG: KernelConfig = { kernelPreemption: false, checkInvariants: false, bugs: [], memoryLimit: DEFAULT_MEMORY_LIMIT };

/** Host bytes charged per task (its kernel-side state: registers, signal state, queues; Linux's task_struct and kernel stack). */
export const TASK_COST = 16 * 1024;

export interface ExitRecord {
  pid: number;
  name: string;
  /** wait4 status word: (code << 8) for exit, signal number for a kill */
  status: number;
  /** "exit 0", "killed by SIGPIPE" */
  describe: string;
}

export class InvariantViolation extends Error {}

export const ROOT_CREDS: Creds = { uid: 0, gid: 0, euid: 0, egid: 0, suid: 0, sgid: 0 };

export class Kernel {
  readonly table = new SyscallTable();
  readonly vfs = new Vfs();
  readonly files = new OpenFiles();
  readonly console: Console;
  readonly config: KernelConfig;
  /** the run's memory budget: address spaces, buffers, files, console and trace draw on it */
  readonly memory: MemoryBudget;
  /** processes the OOM rule killed (a page fault found the budget spent), in order */
  readonly oomKills: { pid: number; label: string }[] = [];
  /** every task ever created, by pid */
  readonly tasks = new Map<number, Task>();
  /** how each process ended, in order of exit */
  readonly exits: ExitRecord[] = [];
  /** failures of host-side scripts (thrown exceptions, failed asserts) */
  readonly scriptErrors: { pid: number; message: string }[] = [];
  /** extra holders of open-file references (in-flight messages ...), for the invariant check */
  readonly refHolders: (() => Iterable<OpenFile>)[] = [];
  /** further invariant checks subsystems register (return a violation message or null) */
  readonly checks: (() => string | null)[] = [];
  /** values scripts recorded with sys.log, for scenario checks */
  readonly notes: { pid: number; tid?: number; key: string; value: unknown }[] = [];
  readonly stats = { syscalls: 0, enosys: 0 };
  /** calls of syscall numbers the kernel does not implement, by number (in order of first use) */
  readonly unknownSyscalls = new Map<number, number>();
  /** program formats execve tries before ELF (scripted programs a scenario registers) */
  readonly binfmts: Binfmt[] = [];
  /** futex waiters, by address space and address */
  readonly futexes = new Futexes();
  /** tasks using each address space that more than one task uses (CLONE_VM); absent means one */
  private readonly mmUsers = new Map<AddressSpace, number>();
  private nextPid = 1;
  private readonly bugSet: Set<string>;

  constructor(
    readonly sched: Scheduler,
    readonly rng: Rng,
    config: Partial<KernelConfig> = {},
  ) {
    this.config = { ...DEFAULT_CONFIG, ...config };
    this.memory = new MemoryBudget(this.config.memoryLimit);
    this.console = new Console(this.memory);
    this.vfs.memory = this.memory;
    sched.trace.memory = this.memory;
    for (const b of this.config.bugs) if (!isPlantedBug(b)) throw new Error(`unknown planted bug: ${b}`);
    this.bugSet = new Set(this.config.bugs);
  }

  /** Is this planted bug enabled? Kernel code reads `if (k.bug('name'))` at the buggy branch. */
  bug(name: PlantedBug): boolean {
    return this.bugSet.has(name);
  }

  /** Starts a process from the harness: console on fds 0-2, empty address space, cwd "/". */
  spawn(name: string, makeCtx: (t: Task) => UserContext, creds: Creds = ROOT_CREDS): Task {
    const fds = new FdTable();
    fds.install(this.files.open(new ConsoleFile(this.console, 'stdin'), O_RDONLY), false);
    fds.install(this.files.open(new ConsoleFile(this.console, 'stdout'), O_WRONLY), false);
    fds.install(this.files.open(new ConsoleFile(this.console, 'stderr'), O_WRONLY), false);
    this.memory.charge(TASK_COST) || this.memory.release(-TASK_COST); // the harness's own processes always start
    const t = new Task(this, this.nextPid++, name, null, { ...creds }, fds, new AddressSpace(this.memory), this.vfs.root, 0o022);
    t.ctx = makeCtx(t);
    this.tasks.set(t.pid, t);
    this.sched.add(t);
    this.traceNote(t, 'spawn', `+++ started ${t.label} +++`);
    return t;
  }

  /**
   * fork: a child with copies of the parent's fd table (shared open files),
   * memory (copy-on-write) and signal dispositions. `flags` may ask for
   * CLONE_FILES (the same fd table, as copy_files shares it) and CLONE_FS
   * (the same cwd and umask, copy_fs) without sharing the memory.
   */
  fork(parent: Task, flags = 0): number {
    // A script child takes its program's name (comm is inherited on Linux; the name only labels reports).
    const name = parent.ctx.childName?.() || parent.name;
    const proc = parent.group.leader;
    if (!this.memory.charge(TASK_COST)) return -ENOMEM;
    const mm = parent.mm.clone();
    if (mm === null) {
      this.memory.release(TASK_COST);
      return -ENOMEM; // copy_mm could not allocate the page tables
    }
    const fds = flags & CLONE_FILES ? parent.fds : parent.fds.clone();
    if (flags & CLONE_FILES) fds.users++;
    const child = new Task(this, this.nextPid++, name, proc, { ...parent.creds }, fds,
      mm, parent.cwd, parent.umask);
    if (flags & CLONE_FS) child.fs = parent.fs;
    child.sig = parent.sig.clone();
    const ctx = parent.ctx.fork(child);
    if (typeof ctx === 'number') {
      this.releaseFds(child.fds);
      child.mm.clear();
      this.memory.release(TASK_COST);
      return ctx;
    }
    child.ctx = ctx;
    child.startAsChild();
    proc.children.push(child);
    this.tasks.set(child.pid, child);
    this.sched.add(child);
    return child.pid;
  }

  /**
   * clone with CLONE_VM: a task sharing the caller's address space, and as
   * the flags ask its fd table (CLONE_FILES), cwd/umask (CLONE_FS), signal
   * dispositions (CLONE_SIGHAND) and thread group (CLONE_THREAD). Returns
   * the new tid, or -errno (the user side cannot make threads).
   */
  cloneVm(parent: Task, flags: number, sp: number, tls: number | null): number | Task {
    if (!parent.ctx.thread) return -38; // ENOSYS: this user side cannot make threads
    if (!this.memory.charge(TASK_COST)) return -ENOMEM;
    const thread = (flags & CLONE_THREAD) !== 0;
    const proc = parent.group.leader;
    let fds: FdTable;
    if (flags & CLONE_FILES) {
      fds = parent.fds;
      fds.users++;
    } else {
      fds = parent.fds.clone();
    }
    this.mmUsers.set(parent.mm, this.mmUserCount(parent.mm) + 1);
    const child = new Task(this, this.nextPid++, parent.ctx.childName?.() || parent.name, thread ? null : proc, { ...parent.creds }, fds,
      parent.mm, parent.cwd, parent.umask, thread ? parent.group : undefined);
    if (flags & CLONE_FS) child.fs = parent.fs;
    if (flags & CLONE_SIGHAND) child.sig = new SignalState(parent.sig.actions, thread ? parent.sig.shared : undefined);
    else child.sig = parent.sig.clone();
    child.sig.blocked = parent.sig.blocked;
    child.ctx = parent.ctx.thread(child, sp, tls);
    child.startAsChild();
    if (!thread) proc.children.push(child);
    this.tasks.set(child.pid, child);
    this.sched.add(child);
    if (thread) this.traceNote(parent, 'spawn', `+++ thread ${child.pid} started +++`);
    return child;
  }

  private mmUserCount(mm: AddressSpace): number {
    return this.mmUsers.get(mm) ?? 1;
  }

  /** A CLONE_VFORK child gave back its parent's memory (exec or exit): the parent resumes. */
  vforkRelease(t: Task): void {
    if (!t.vfork || t.vfork.done) return;
    t.vfork.done = true;
    t.vfork.queue.wakeAll();
  }

  /** Drops one task's use of an address space; the last one frees it. */
  releaseMm(mm: AddressSpace): void {
    const n = this.mmUserCount(mm) - 1;
    if (n <= 1) this.mmUsers.delete(mm);
    else this.mmUsers.set(mm, n);
    if (n <= 0) mm.clear();
  }

  /** Drops one task's use of an fd table; the last one closes its files. */
  releaseFds(fds: FdTable): void {
    if (--fds.users > 0) return;
    for (const f of fds.takeAll()) f.put();
  }

  dispatch(t: Task): SyscallResult {
    const a = t.ctx.args;
    const def = this.table.get(a.nr);
    this.stats.syscalls++;
    if (!def) {
      this.stats.enosys++;
      this.unknownSyscalls.set(a.nr, (this.unknownSyscalls.get(a.nr) ?? 0) + 1);
      return -38; // ENOSYS
    }
    const kinds = def.args;
    for (let i = 0; i < kinds.length; i++) t.argv[i] = decodeArg(kinds[i], a.lo[i], a.hi[i]);
    return def.handler(t, t.argv);
  }

  /** Records a finished syscall in the trace (hash always; text when recording). */
  syscallDone(t: Task, result: number, start: number): void {
    const a = t.ctx.args;
    const h = this.sched.trace.hash;
    h.int(t.pid);
    h.int(a.nr);
    const lo = a.lo, hi = a.hi;
    for (let i = 0; i < 6; i++) {
      h.int32(lo[i]);
      h.int32(hi[i]);
    }
    h.int(result);
    if (this.sched.trace.recordText) {
      const def = this.table.get(a.nr);
      const now = this.sched.clock.now;
      const text = def
        ? renderSyscall(def, t.argv, t.mm, result)
        : `syscall_${a.nr}(${[0, 1, 2, 3, 4, 5].map((i) => decodeArg('long', a.lo[i], a.hi[i])).join(', ')}) = ${renderResult(result)}`;
      const ev = { time: now, dur: now - start, tid: t.pid, kind: 'syscall' as const, name: def?.name ?? `syscall_${a.nr}`, text };
      const events = this.sched.trace.events;
      if (t.state === 'exited' && events.length && events[events.length - 1].tid === t.pid && events[events.length - 1].kind === 'exit') {
        // The call ended the process (exit, a fatal signal): like strace, show it unfinished ("= ?") before the exit line.
        ev.text = text.replace(/ = [^=]*$/, ' = ?');
        events.splice(events.length - 1, 0, ev);
      } else {
        this.sched.trace.add(ev);
      }
    }
  }

  traceBlock(t: Task, on: string): void {
    if (!this.sched.trace.recordText) return;
    const def = this.table.get(t.ctx.args.nr);
    const call = def ? `${def.name}(${renderArgs(def, t.argv, t.mm, -1)})` : `syscall_${t.ctx.args.nr}(...)`;
    this.sched.trace.add({ time: this.sched.clock.now, dur: 0, tid: t.pid, kind: 'block', name: def?.name ?? '?', text: `${call} <blocks on ${on}>` });
  }

  traceNote(t: Task, kind: 'exit' | 'signal' | 'fault' | 'note' | 'spawn', text: string): void {
    const h = this.sched.trace.hash;
    h.str(kind);
    h.int(t.pid);
    if (this.sched.trace.recordText) {
      this.sched.trace.add({ time: this.sched.clock.now, dur: 0, tid: t.pid, kind, name: kind, text });
    }
  }

  // ---- exit and wait ----

  /**
   * Ends the whole process `t` belongs to (exit_group, a fatal signal, a
   * script's end): the first such call sets the process's status; the other
   * threads get SIGKILL and end at their next scheduling point (a sleeper is
   * woken for it); `t` itself ends now.
   */
  exitTask(t: Task, status: number): void {
    if (t.state === 'exited') return;
    const g = t.group;
    if (g.exitStatus === null) {
      g.exitStatus = status;
      for (const o of g.threads) {
        if (o === t) continue;
        o.sig.pending |= bit(SIGKILL);
        if (o.state === 'blocked') this.sched.wake(o, 'exit of its thread group');
      }
    }
    this.exitThread(t, g.exitStatus);
  }

  /**
   * Ends one thread (exit, or its part of a group exit): clear_child_tid is
   * zeroed and futex-woken (pthread_join), its uses of the fd table and the
   * address space are dropped. When it was the last thread, the process
   * ends: its status is the group's, else the leader's own exit code.
   */
  exitThread(t: Task, status: number): void {
    if (t.state === 'exited') return;
    t.state = 'exited';
    t.waitingOn = null;
    this.memory.release(TASK_COST);
    t.exitStatus = status;
    const g = t.group;
    g.threads.splice(g.threads.indexOf(t), 1);
    // Linux mm_release: only while someone else still uses the memory.
    if (t.clearChildTid && this.mmUserCount(t.mm) > 1 && putU32(t.mm, t.clearChildTid, 0)) {
      this.futexes.wake(t.mm, t.clearChildTid, 1);
    }
    t.clearChildTid = 0;
    this.vforkRelease(t);
    t.ctx.release?.();
    this.releaseFds(t.fds);
    this.releaseMm(t.mm);
    const leader = g.leader;
    if (g.threads.length > 0) {
      this.traceNote(t, 'exit', `+++ thread ${t.pid} exited +++`);
      if (t !== leader) this.tasks.delete(t.pid);
      return;
    }
    this.exitProcess(leader, g.exitStatus ?? leader.exitStatus, t);
    if (t !== leader) this.tasks.delete(t.pid);
  }

  /** Ends another thread at once (execve's de_thread): its syscall in progress is abandoned. */
  killThreadNow(o: Task): void {
    o.abandonSyscall();
    this.exitThread(o, SIGKILL);
  }

  /** The last thread of `leader`'s process is gone: record the exit, leave a zombie for the parent (or be reaped at once). */
  private exitProcess(leader: Task, status: number, last: Task): void {
    const describe = (status & 0x7f) === 0 ? `exit ${(status >> 8) & 0xff}` : `killed by ${signalName(status & 0x7f)}`;
    this.exits.push({ pid: leader.pid, name: leader.name, status, describe });
    this.traceNote(last, 'exit', `+++ ${describe} +++`);
    for (const c of leader.children) {
      c.parent = null;
      if (c.zombie) this.tasks.delete(c.pid);
    }
    leader.children.length = 0;
    leader.exitStatus = status;
    const p = leader.parent;
    if (p && p.group.threads.length > 0) {
      leader.zombie = true;
      this.sendProcessSignal(p, SIGCHLD);
      p.childExit.wakeAll();
    } else {
      this.tasks.delete(leader.pid);
    }
  }

  /** Removes a reaped zombie from its parent. */
  reap(parent: Task, child: Task): void {
    parent = parent.group.leader;
    parent.children.splice(parent.children.indexOf(child), 1);
    this.tasks.delete(child.pid);
  }

  faultTask(t: Task, signo: number, detail: string): void {
    this.traceNote(t, 'fault', `--- ${signalName(signo)} (${detail}) ---`);
    // A synchronous fault cannot be ignored or blocked: with no handler it kills.
    const act = t.sig.actions[signo];
    if (typeof act.handler === 'function' || (typeof act.handler === 'number' && act.handler > SIG_IGN)) {
      t.sig.blocked &= ~bit(signo);
      t.sig.pending |= bit(signo);
      return;
    }
    this.exitTask(t, signo);
  }

  /**
   * The OOM rule: a page fault found the run's memory budget spent. The
   * faulting process is killed with SIGKILL and the run ends with the
   * memory limit (a bounded, reported end instead of a host that swaps).
   */
  oomKill(t: Task, detail: string): void {
    this.oomKills.push({ pid: t.tgid, label: t.group.leader.label });
    this.traceNote(t, 'fault', `--- SIGKILL (${detail}) ---`);
    const why = `${t.group.leader.label} killed by the OOM rule (${detail}; budget ${this.memory.limit} bytes, ${this.memory.used} in use)`;
    this.exitTask(t, SIGKILL);
    this.sched.halt('memory', why);
  }

  scriptError(t: Task, message: string): void {
    this.scriptErrors.push({ pid: t.pid, message });
    this.traceNote(t, 'fault', `--- script error: ${message} ---`);
    this.exitTask(t, 6); // reported like an abort
  }

  // ---- signals ----

  /** Generates a signal for one thread (tgkill, faults, SIGPIPE); wakes it if it sleeps so an interruptible sleep can return. */
  sendSignal(t: Task, signo: number): void {
    if (t.state === 'exited' || signo === 0) return;
    if (t.sig.ignored(signo)) return;
    t.sig.pending |= bit(signo);
    this.traceNote(t, 'signal', `--- ${signalName(signo)} ---`);
    if (signo === SIGKILL || !(t.sig.blocked & bit(signo))) {
      if (t.state === 'blocked') this.sched.wake(t, signalName(signo));
    }
  }

  /**
   * Generates a signal for the process of `t` (kill, SIGCHLD): it waits in
   * the process's pending set for any thread that does not block it; `t`
   * is woken if it can take it, else the first thread that can (Linux
   * complete_signal).
   */
  sendProcessSignal(t: Task, signo: number): void {
    const threads = t.group.threads;
    if (threads.length === 0 || signo === 0) return;
    const first = threads[0];
    if (first.sig.ignored(signo)) return;
    const b = bit(signo);
    first.sig.shared.pending |= b;
    const wants = (x: Task): boolean => signo === SIGKILL || !(x.sig.blocked & b);
    const target = t.state !== 'exited' && wants(t) ? t : threads.find(wants);
    this.traceNote(target ?? first, 'signal', `--- ${signalName(signo)} ---`);
    if (target && target.state === 'blocked') this.sched.wake(target, signalName(signo));
  }

  /** Is a deliverable signal pending (an interruptible sleep must end)? */
  signalPending(t: Task): boolean {
    return (t.sig.pending | t.sig.shared.pending) !== 0n && t.sig.nextDeliverable() !== 0;
  }

  /**
   * Delivers pending signals on the way back to user mode. Returns false if
   * the task died of one.
   */
  deliverSignals(t: Task): boolean {
    for (;;) {
      const s = t.sig.nextDeliverable();
      if (s === 0) {
        // restore_saved_sigmask: a temporary ppoll/pselect6/epoll_pwait mask ends here (if no frame took it).
        if (t.sig.savedMask !== null) {
          t.sig.blocked = t.sig.savedMask;
          t.sig.savedMask = null;
        }
        return true;
      }
      t.sig.take(s);
      const act = t.sig.actions[s];
      if (act.handler === SIG_IGN && s !== SIGKILL) continue;
      if (act.handler === SIG_DFL || s === SIGKILL) {
        if (defaultIgnores(s) && s !== SIGKILL) continue;
        this.exitTask(t, s);
        return false;
      }
      // An interrupted sleep (-ERESTARTSYS) restarts after a SA_RESTART handler, else fails with EINTR (Linux: handle_signal).
      if (t.pendingResult === -ERESTARTSYS && !(act.flags & SA_RESTART)) t.pendingResult = -EINTR;
      if (typeof act.handler === 'function') {
        act.handler(s);
        continue;
      }
      // A guest handler address: the user context builds the signal frame.
      if (!t.ctx.enterSignalHandler?.(s, act, t.pendingResult)) {
        this.exitTask(t, s);
        return false;
      }
      t.sig.savedMask = null; // the frame saved it: sigreturn restores it
    }
  }

  // ---- invariants ----

  /** Throws InvariantViolation if reference counts and references disagree. */
  check(): void {
    const problem = checkInvariants(this);
    if (problem) throw new InvariantViolation(problem);
  }

  /** "syscall 1234 (2 calls), ..." for reports, or '' when every call was known. */
  describeUnknownSyscalls(): string {
    return [...this.unknownSyscalls].map(([nr, n]) => `${nr} (${n} call${n === 1 ? '' : 's'})`).join(', ');
  }

  /** Live tasks, for reports. */
  liveTasks(): Task[] {
    return [...this.tasks.values()].filter((t) => t.state !== 'exited');
  }

  newFdTable(): FdTable {
    return new FdTable();
  }
}
