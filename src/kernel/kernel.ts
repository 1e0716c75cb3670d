// The kernel: processes, the syscall table and its dispatch, exit and
// wait, signals, and the invariant checks that property tests turn on.
// Subsystems (files, pipes, AF_UNIX) register their syscalls into `table`.
import { AddressSpace } from '../hw/memory.ts';
import type { Rng } from '../sched/rng.ts';
import type { Scheduler } from '../sched/scheduler.ts';
import { SIGCHLD, SIGKILL, SIG_DFL, SIG_IGN } from './abi.ts';
import { Console, ConsoleFile } from './console.ts';
import type { UserContext } from './context.ts';
import { renderResult } from './errno.ts';
import { FdTable } from './fdtable.ts';
import { OpenFiles, type OpenFile } from './file.ts';
import { bit, defaultIgnores, SA_RESTART, signalName } from './signal.ts';
import { EINTR, ERESTARTSYS } from './errno.ts';
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
  /** planted bugs to enable (see bugs.ts); none by default */
  bugs: readonly PlantedBug[];
}

export const DEFAULT_CONFIG: KernelConfig = { kernelPreemption: false, checkInvariants: false, bugs: [] };

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
  readonly console = new Console();
  readonly config: KernelConfig;
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
  readonly notes: { pid: number; key: string; value: unknown }[] = [];
  readonly stats = { syscalls: 0, enosys: 0 };
  /** calls of syscall numbers the kernel does not implement, by number (in order of first use) */
  readonly unknownSyscalls = new Map<number, number>();
  private nextPid = 1;
  private readonly bugSet: Set<string>;

  constructor(
    readonly sched: Scheduler,
    readonly rng: Rng,
    config: Partial<KernelConfig> = {},
  ) {
    this.config = { ...DEFAULT_CONFIG, ...config };
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
    const t = new Task(this, this.nextPid++, name, null, { ...creds }, fds, new AddressSpace(), this.vfs.root, 0o022);
    t.ctx = makeCtx(t);
    this.tasks.set(t.pid, t);
    this.sched.add(t);
    this.traceNote(t, 'spawn', `+++ started ${t.label} +++`);
    return t;
  }

  /** fork: a child with copies of the parent's fd table (shared open files), memory (copy-on-write) and signal dispositions. */
  fork(parent: Task): number {
    // A script child takes its program's name (comm is inherited on Linux; the name only labels reports).
    const name = parent.ctx.childName?.() || parent.name;
    const child = new Task(this, this.nextPid++, name, parent, { ...parent.creds }, parent.fds.clone(),
      parent.mm.clone(), parent.cwd, parent.umask);
    child.sig = parent.sig.clone();
    const ctx = parent.ctx.fork(child);
    if (typeof ctx === 'number') {
      for (const f of child.fds.takeAll()) f.put();
      child.mm.clear();
      return ctx;
    }
    child.ctx = ctx;
    child.startAsChild();
    parent.children.push(child);
    this.tasks.set(child.pid, child);
    this.sched.add(child);
    return child.pid;
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

  /** Ends a task: closes its files, frees its memory, and leaves a zombie for its parent (or is reaped at once). */
  exitTask(t: Task, status: number): void {
    if (t.state === 'exited') return;
    t.state = 'exited';
    t.waitingOn = null;
    for (const f of t.fds.takeAll()) f.put();
    t.mm.clear();
    const describe = (status & 0x7f) === 0 ? `exit ${(status >> 8) & 0xff}` : `killed by ${signalName(status & 0x7f)}`;
    this.exits.push({ pid: t.pid, name: t.name, status, describe });
    this.traceNote(t, 'exit', `+++ ${describe} +++`);
    for (const c of t.children) {
      c.parent = null;
      if (c.zombie) this.tasks.delete(c.pid);
    }
    t.children.length = 0;
    t.exitStatus = status;
    const p = t.parent;
    if (p && p.state !== 'exited') {
      t.zombie = true;
      this.sendSignal(p, SIGCHLD);
      p.childExit.wakeAll();
    } else {
      this.tasks.delete(t.pid);
    }
  }

  /** Removes a reaped zombie from its parent. */
  reap(parent: Task, child: Task): void {
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

  scriptError(t: Task, message: string): void {
    this.scriptErrors.push({ pid: t.pid, message });
    this.traceNote(t, 'fault', `--- script error: ${message} ---`);
    this.exitTask(t, 6); // reported like an abort
  }

  // ---- signals ----

  /** Generates a signal for a task; wakes it if it sleeps so an interruptible sleep can return. */
  sendSignal(t: Task, signo: number): void {
    if (t.state === 'exited' || signo === 0) return;
    if (t.sig.ignored(signo)) return;
    t.sig.pending |= bit(signo);
    this.traceNote(t, 'signal', `--- ${signalName(signo)} ---`);
    if (signo === SIGKILL || !(t.sig.blocked & bit(signo))) {
      if (t.state === 'blocked') this.sched.wake(t, signalName(signo));
    }
  }

  /** Is a deliverable signal pending (an interruptible sleep must end)? */
  signalPending(t: Task): boolean {
    return t.sig.pending !== 0n && t.sig.nextDeliverable() !== 0;
  }

  /**
   * Delivers pending signals on the way back to user mode. Returns false if
   * the task died of one.
   */
  deliverSignals(t: Task): boolean {
    for (;;) {
      const s = t.sig.nextDeliverable();
      if (s === 0) return true;
      t.sig.pending &= ~bit(s);
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
