// The kernel: processes, the syscall table and its dispatch, exit and
// wait, signals, and the invariant checks that property tests turn on.
// Subsystems (files, pipes, AF_UNIX) register their syscalls into `table`.
import { JIT_DEFAULT } from '../hw/jit.ts';
import type { Pidfds } from './pidfd.ts';
import { GC_KINDS, type GcKind } from './config-values.ts';
import { AddressSpace } from '../hw/memory.ts';
import { DEFAULT_MEMORY_LIMIT, MemoryBudget } from '../hw/budget.ts';
import type { Rng } from '../sched/rng.ts';
import type { Scheduler } from '../sched/scheduler.ts';
import { SIGCHLD, SIGKILL, SIG_DFL, SIG_IGN } from './abi.ts';

export const CLONE_VM = 0x100, CLONE_FS = 0x200, CLONE_FILES = 0x400, CLONE_SIGHAND = 0x800, CLONE_THREAD = 0x10000;
import { Console, ConsoleFile } from './console.ts';
import type { Binfmt, UserContext } from './context.ts';
import { FdTable } from './fdtable.ts';
import { OpenFiles, type OpenFile } from './file.ts';
import { bit, CLD_DUMPED, CLD_EXITED, CLD_KILLED, defaultIgnores, SA_RESTART, SI_KERNEL, SI_TKILL, SI_USER, SignalState, signalName, type SigInfo } from './signal.ts';
import { Futexes } from './futex.ts';
import { putU32 } from './uaccess.ts';
import { EINTR, ENOMEM, ERESTARTSYS } from './errno.ts';
import { SignalTrace, faultInfo, straceExit, traceEnter, traceExit, traceUnfinished } from './trace-emit.ts';
import { SyscallTable, decodeAs, type SyscallResult } from './syscall.ts';
import { inheritTaskState, Task, type ThreadGroup } from './task.ts';
import { Vfs, type Creds } from './vfs.ts';
import { O_RDONLY, O_WRONLY } from './abi.ts';
import { checkInvariants } from './invariants.ts';
import { EnabledBugs, type PlantedBug } from './bugs.ts';
import { childrenKey, procKey, recordSyscall, sigactKey, sigmaskKey } from './footprint.ts';
import { Lockdep } from './lockdep.ts';
import type { FaultInjector } from './faults.ts';
import { Coverage, objectState, outcomeOf } from './coverage.ts';
import { NetNamespace, PidNamespace } from './namespaces.ts';
import { realtimeOf } from './syscalls/proc.ts';

export interface KernelConfig {
  /**
   * The kernel is preemptible: PREEMPT points and lock acquisitions inside
   * handlers become scheduling points, and a task stopped there gives up its
   * hart (unless it holds a spinlock)
   */
  kernelPreemption: boolean;
  /**
   * Harts running kernel code at once (the SMP model, lock.ts): with more
   * than one, PREEMPT points and lock acquisitions are scheduling points
   * even without kernelPreemption. 1 (the default) without kernelPreemption
   * runs each syscall to its next sleep, as before locks existed.
   */
  harts: number;
  /**
   * The in-flight garbage collector (src/unix/gc/): 'scc', Linux >= 6.10's
   * Tarjan-SCC collector (the default), or 'mark-sweep', the unix_gc of
   * earlier kernels
   */
  gc: GcKind;
  /** check reference-count invariants after every step (property tests turn this on) */
  checkInvariants: boolean;
  /** also check, after every step, that no sleeper's wait condition holds unwoken (src/kernel/wake-duty.ts) */
  checkWakeDuties?: boolean;
  /** planted bugs to enable (names from bugs.ts, checked at boot); none by default */
  bugs: readonly string[];
  /** the run's memory budget in bytes (budget.ts): every page, buffer and task is charged to it */
  memoryLimit: number;
  /** the console's size limit in bytes (console.ts): a write past it gets EFBIG and SIGXFSZ */
  consoleLimit?: number;
  /** guest harts translate hot code (src/hw/jit.ts); false runs the interpreter alone, with the same results */
  jit: boolean;
}

export { GC_KINDS, type GcKind } from './config-values.ts';

export const DEFAULT_CONFIG: KernelConfig = {
  kernelPreemption: false, harts: 1, gc: 'scc', checkInvariants: false, bugs: [], memoryLimit: DEFAULT_MEMORY_LIMIT, jit: JIT_DEFAULT,
};

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
  readonly files: OpenFiles;
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
  /** called with a process's pid when it exits (a zombie) and when it is reaped: pidfd wakeups (pidfd.ts) */
  readonly processHooks: ((pid: number) => void)[] = [];
  /** generated read-only files under /proc by path (e.g. /proc/net/unix, registered by AF_UNIX): their text at open, for the process whose /proc directory it is in */
  readonly procFiles = new Map<string, (t: Task) => string>();
  /** the pidfd files of this kernel (pidfd.ts), once registered */
  pidfds: Pidfds | null = null;
  /** further invariant checks subsystems register (return a violation message or null) */
  readonly checks: (() => string | null)[] = [];
  /** values scripts recorded with sys.log, for scenario checks */
  readonly notes: { pid: number; tid?: number; key: string; value: unknown }[] = [];
  readonly stats = { syscalls: 0, enosys: 0 };
  /** calls of syscall numbers the kernel does not implement, by number (in order of first use) */
  readonly unknownSyscalls = new Map<number, number>();
  /** siginfo of generated signals until delivery, for the trace (used only when recording) */
  private readonly sigTrace = new SignalTrace(this);
  /** program formats execve tries before ELF (scripted programs a scenario registers) */
  readonly binfmts: Binfmt[] = [];
  /** futex waiters, by address space and address */
  readonly futexes = new Futexes();
  /** tasks using each address space that more than one task uses (CLONE_VM); absent means one */
  private readonly mmUsers = new Map<AddressSpace, number>();
  private nextPid = 1;
  /** the initial pid and network namespaces (namespaces.ts) */
  readonly initPidNs = new PidNamespace(null);
  readonly initNetNs = new NetNamespace(0);
  private nextNetNs = 1;
  /** the planted bugs this kernel runs with */
  readonly bugs: EnabledBugs;
  /** fault injection (spurious wakeups, EINTR, short reads) when the run asked for it */
  faults: FaultInjector | null = null;
  /** (syscall, object state, outcome) tuples and who-woke-whom pairs, when the run records coverage */
  coverage: Coverage | null = null;
  /** the SMP model is on (kernelPreemption or harts > 1): interleaving points inside syscalls are scheduling points */
  readonly smp: boolean;
  /** the lock-order graph (lockdep.ts): possible deadlocks found so far */
  readonly lockdep: Lockdep;
  /** next place in the double-lock order for a lock created without one (lock.ts) */
  nextLockOrder = 1;

  constructor(
    readonly sched: Scheduler,
    readonly rng: Rng,
    config: Partial<KernelConfig> = {},
  ) {
    this.config = { ...DEFAULT_CONFIG, ...config };
    if (!Number.isInteger(this.config.harts) || this.config.harts < 1) throw new Error(`harts must be a positive integer, not ${this.config.harts}`);
    if (!GC_KINDS.includes(this.config.gc)) throw new Error(`unknown garbage collector: ${String(this.config.gc)} (scc or mark-sweep)`);
    this.smp = this.config.kernelPreemption || this.config.harts > 1;
    // Only a task stopped inside the kernel can hold a hart, which only the SMP model does.
    if (this.smp) sched.harts = this.config.harts;
    this.lockdep = new Lockdep(() => sched.steps);
    this.files = new OpenFiles(sched.recorder);
    this.bugs = new EnabledBugs(this.config.bugs);
    this.memory = new MemoryBudget(this.config.memoryLimit);
    this.console = new Console(this.memory, this.config.consoleLimit);
    this.vfs.memory = this.memory;
    this.vfs.now = () => realtimeOf(sched.clock.now);
    sched.trace.memory = this.memory;
  }

  /** Is this planted bug enabled? Kernel code reads `if (k.bug('name'))` at the buggy branch. */
  bug(name: PlantedBug): boolean {
    return this.bugs.has(name);
  }

  /** the first process the harness started: the others join its session and process group */
  private harnessGroup: ThreadGroup | null = null;

  /** Starts a process from the harness: console on fds 0-2, empty address space, cwd "/". */
  spawn(name: string, makeCtx: (t: Task) => UserContext, creds: Creds = ROOT_CREDS): Task {
    const fds = new FdTable();
    fds.install(this.files.open(new ConsoleFile(this.console, 'stdin'), O_RDONLY), false);
    fds.install(this.files.open(new ConsoleFile(this.console, 'stdout'), O_WRONLY), false);
    fds.install(this.files.open(new ConsoleFile(this.console, 'stderr'), O_WRONLY), false);
    this.memory.charge(TASK_COST) || this.memory.release(-TASK_COST); // the harness's own processes always start
    const t = new Task(this, this.nextPid++, name, null, { ...creds }, fds, new AddressSpace(this.memory), this.vfs.root, 0o022);
    t.pidNs = this.initPidNs;
    t.nsproxy = { pidForChildren: this.initPidNs, net: this.initNetNs };
    // The harness's processes share one session and process group, led by the first (as a shell's job would).
    if (this.harnessGroup) {
      t.group.pgid = this.harnessGroup.pgid;
      t.group.sid = this.harnessGroup.sid;
    } else {
      this.harnessGroup = t.group;
      t.group.sessionLeader = true;
    }
    t.ctx = makeCtx(t);
    this.tasks.set(t.pid, t);
    this.sched.add(t);
    this.hashNote('spawn', t.pid);
    this.sched.trace.start(this.sched.clock.peek(), t.pid, t.pid, 0, t.label);
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
    this.sched.recorder?.write('alloc:pid');
    const proc = parent.group.leader;
    const pidNs = parent.nsproxy.pidForChildren;
    if (!pidNs.adding) return -ENOMEM; // alloc_pid: the namespace's init has exited
    if (!this.memory.charge(TASK_COST)) return -ENOMEM;
    const mm = parent.mm.clone();
    if (mm === null) {
      this.memory.release(TASK_COST);
      return -ENOMEM; // copy_mm could not allocate the page tables
    }
    const fds = flags & CLONE_FILES ? parent.fds : parent.fds.clone();
    if (flags & CLONE_FILES) fds.users++;
    const child = new Task(this, this.allocPid(pidNs), name, proc, { ...parent.creds }, fds,
      mm, parent.cwd, parent.umask);
    this.enterNamespaces(child, parent, pidNs);
    if (flags & CLONE_FS) child.fs = parent.fs;
    child.sig = parent.sig.clone();
    inheritTaskState(child, parent);
    child.group.pgid = proc.group.pgid;
    child.group.sid = proc.group.sid;
    const ctx = parent.ctx.fork(child);
    if (typeof ctx === 'number') {
      this.releaseFds(child.fds);
      child.mm.clear();
      this.memory.release(TASK_COST);
      return ctx;
    }
    child.ctx = ctx;
    child.startAsChild();
    this.sched.recorder?.write(childrenKey(proc));
    this.sched.recorder?.write(procKey(child.pid));
    proc.children.push(child);
    this.tasks.set(child.pid, child);
    this.sched.add(child);
    this.sched.trace.start(this.sched.clock.peek(), child.pid, child.pid, proc.pid, child.label);
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
    // a thread stays in its process's namespace (copy_process refuses a thread when they differ)
    const pidNs = thread ? parent.pidNs : parent.nsproxy.pidForChildren;
    if (!pidNs.adding) {
      this.memory.release(TASK_COST);
      return -ENOMEM;
    }
    let fds: FdTable;
    if (flags & CLONE_FILES) {
      fds = parent.fds;
      fds.users++;
    } else {
      fds = parent.fds.clone();
    }
    this.mmUsers.set(parent.mm, this.mmUserCount(parent.mm) + 1);
    const child = new Task(this, this.allocPid(pidNs), parent.ctx.childName?.() || parent.name, thread ? null : proc, { ...parent.creds }, fds,
      parent.mm, parent.cwd, parent.umask, thread ? parent.group : undefined);
    this.enterNamespaces(child, parent, pidNs);
    if (flags & CLONE_FS) child.fs = parent.fs;
    if (flags & CLONE_SIGHAND) child.sig = new SignalState(parent.sig.actions, thread ? parent.sig.shared : undefined);
    else child.sig = parent.sig.clone();
    child.sig.blocked = parent.sig.blocked;
    inheritTaskState(child, parent);
    if (!thread) {
      child.group.pgid = proc.group.pgid;
      child.group.sid = proc.group.sid;
    }
    child.ctx = parent.ctx.thread(child, sp, tls);
    child.startAsChild();
    if (!thread) {
      this.sched.recorder?.write(childrenKey(proc));
      proc.children.push(child);
    }
    this.sched.recorder?.write(procKey(child.pid));
    this.tasks.set(child.pid, child);
    this.sched.add(child);
    if (thread) this.hashNote('spawn', parent.pid);
    this.sched.trace.start(this.sched.clock.peek(), child.pid, child.tgid, thread ? parent.pid : proc.pid, child.label);
    return child;
  }

  /** alloc_pid: a new global pid, numbered in `ns` and every namespace above it. */
  private allocPid(ns: PidNamespace): number {
    const pid = this.nextPid++;
    for (let n: PidNamespace | null = ns; n && n.parent; n = n.parent) n.assign(pid);
    return pid;
  }

  /** A new task's namespaces: its pid namespace, and a copy of its parent's nsproxy; the first task of a new pid namespace is its init. */
  private enterNamespaces(child: Task, parent: Task, pidNs: PidNamespace): void {
    child.pidNs = pidNs;
    child.nsproxy = { ...parent.nsproxy };
    if (pidNs.reaper === null && pidNs.parent !== null) pidNs.reaper = child;
  }

  /** A new network namespace (copy_net_ns). */
  newNetNs(): NetNamespace {
    return new NetNamespace(this.nextNetNs++);
  }

  /** Does another task use t's memory (CLONE_VM)? Its user code then touches memory no footprint records. */
  sharesMemory(t: Task): boolean {
    return this.mmUserCount(t.mm) > 1;
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
      this.sched.recorder?.global(`unknown syscall ${a.nr}`);
      this.stats.enosys++;
      this.unknownSyscalls.set(a.nr, (this.unknownSyscalls.get(a.nr) ?? 0) + 1);
      if (this.sched.trace.recording) traceEnter(this, t, undefined);
      return -38; // ENOSYS
    }
    const decode = def.decode;
    for (let i = 0; i < decode.length; i++) t.argv[i] = decodeAs(decode[i], a.lo[i], a.hi[i]);
    if (this.sched.recorder) recordSyscall(this.sched.recorder, def, t.argv);
    if (this.coverage) {
      const fdArg = def.args.indexOf('fd');
      t.coverObject = fdArg >= 0 ? objectState(t.fds.get(t.argv[fdArg])) : '-';
      t.coverSleeps = 0;
    }
    if (this.sched.trace.recording) traceEnter(this, t, def);
    return def.handler(t, t.argv);
  }

  /** Records a finished syscall in the trace hash, and its exit event when recording. */
  syscallDone(t: Task, result: number): void {
    const a = t.ctx.args;
    this.sched.trace.hash.syscall(t.pid, a.nr, a.lo, a.hi, result);
    if (this.coverage) {
      const name = this.table.get(a.nr)?.name ?? `syscall_${a.nr}`;
      this.coverage.add(name, t.coverObject, outcomeOf(result, t.coverSleeps > 0));
    }
    if (this.sched.trace.recording) traceExit(this, t, result);
  }

  traceBlock(t: Task, on: string): void {
    if (this.coverage) {
      // sleeping again within one call: the last wake found its condition false
      if (t.coverSleeps++ > 0) this.coverage.add(this.table.get(t.ctx.args.nr)?.name ?? '?', t.coverObject, 'woke-to-false-condition');
    }
    this.sched.trace.block(this.sched.clock.peek(), t.pid, on);
  }

  traceResume(t: Task): void {
    this.sched.trace.resume(this.sched.clock.peek(), t.pid);
  }

  /** Feeds a thread-level event (not a syscall) into the trace hash. */
  private hashNote(kind: string, pid: number): void {
    const h = this.sched.trace.hash;
    h.str(kind);
    h.int(pid);
  }

  /** A free-text line (a script's sys.log, a script error), hashed like every thread-level event. */
  traceNote(t: Task, kind: 'note' | 'fault', text: string): void {
    this.hashNote(kind, t.pid);
    this.sched.trace.note(this.sched.clock.peek(), t.pid, text);
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
        o.sig.queue(SIGKILL, { code: SI_KERNEL, pid: 0, uid: 0 }, false);
        if (o.state === 'blocked' && !o.waitingLock) this.sched.wake(o, 'exit of its thread group');
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
    traceUnfinished(this, t);
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
      this.hashNote('exit', t.pid);
      this.sched.trace.end(this.sched.clock.peek(), t.pid, t.tgid, false, straceExit(status));
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
    if (leader.pidNs.reaper === leader) this.zapPidNs(leader.pidNs);
    const rec = this.sched.recorder;
    if (rec) {
      // the exit order, the children it orphans (their parent changes), and the parent's list of children that wait4
      // reads; the parent's task itself only if it is signalled or woken (sendProcessSignal, the wake)
      rec.write('exits');
      rec.write(procKey(leader.pid));
      rec.write(childrenKey(leader));
      for (const c of leader.children) {
        rec.write(`t:${c.pid}`);
        rec.write(procKey(c.pid)); // a zombie among them is reaped now
      }
      if (leader.parent) rec.write(childrenKey(leader.parent));
    }
    this.hashNote('exit', last.pid);
    this.sched.trace.end(this.sched.clock.peek(), last.pid, leader.pid, true, straceExit(status));
    for (const c of leader.children) {
      // PR_SET_PDEATHSIG: a child whose thread asked for it hears of its parent's end (forget_original_parent)
      if (!c.zombie) for (const x of c.group.threads) if (x.pdeathSignal) this.sendProcessSignal(c, x.pdeathSignal);
      c.parent = null;
      if (c.zombie) {
        this.tasks.delete(c.pid);
        for (const h of this.processHooks) h(c.pid);
      }
    }
    leader.children.length = 0;
    leader.exitStatus = status;
    const p = leader.parent;
    if (p && p.group.threads.length > 0) {
      leader.zombie = true;
      const killed = status & 0x7f;
      const cld = { code: killed ? (status & 0x80 ? CLD_DUMPED : CLD_KILLED) : CLD_EXITED, pid: leader.pid, uid: leader.creds.uid, status: killed || (status >> 8) & 0xff };
      this.sendProcessSignal(p, SIGCHLD, `CLD_${killed ? 'KILLED' : 'EXITED'}, si_pid=${leader.pid}, si_uid=${leader.creds.uid}, ` +
        `si_status=${killed ? signalName(killed) : (status >> 8) & 0xff}, si_utime=0, si_stime=0`, cld);
      p.childExit.wakeAll();
    } else {
      this.tasks.delete(leader.pid);
    }
    for (const h of this.processHooks) h(leader.pid);
  }

  /**
   * zap_pid_ns_processes: the init of a pid namespace has exited, so the
   * namespace takes no new pids and every process left in it (or below it)
   * gets SIGKILL. Orphans are not reparented here (see README), so init
   * does not wait for them.
   */
  private zapPidNs(ns: PidNamespace): void {
    ns.adding = false;
    const killed = new Set<ThreadGroup>(); // once per process, even one whose leader thread has already exited
    for (const o of this.liveTasks()) {
      if (!ns.contains(o.pidNs) || killed.has(o.group)) continue;
      killed.add(o.group);
      this.sendProcessSignal(o, SIGKILL);
    }
  }

  /** Removes a reaped zombie from its parent. */
  reap(parent: Task, child: Task): void {
    parent = parent.group.leader;
    this.sched.recorder?.write(childrenKey(parent));
    this.sched.recorder?.write(procKey(child.pid));
    parent.children.splice(parent.children.indexOf(child), 1);
    this.tasks.delete(child.pid);
    for (const h of this.processHooks) h(child.pid);
  }

  faultTask(t: Task, signo: number, detail: string): void {
    this.hashNote('fault', t.pid);
    this.sched.trace.signal(this.sched.clock.peek(), t.pid, signo, faultInfo(signo, detail));
    // A synchronous fault cannot be ignored or blocked: with no handler it kills.
    const act = t.sig.actions[signo];
    if (typeof act.handler === 'function' || (typeof act.handler === 'number' && act.handler > SIG_IGN)) {
      this.sched.recorder?.write(sigmaskKey(t));
      t.sig.blocked &= ~bit(signo);
      t.sig.queue(signo, { code: SI_KERNEL, pid: 0, uid: 0 }, false); // the frame takes the fault's own code and address
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

  /**
   * What a signal generated now carries: `si` when the caller knows it, else
   * the running task as its sender for SI_USER and SI_TKILL (kill, tkill, a
   * SIGPIPE a write raises) and nobody for SI_KERNEL.
   */
  private sigInfo(code: string, si?: SigInfo): SigInfo {
    if (si) return si;
    if (code === 'SI_KERNEL') return { code: SI_KERNEL, pid: 0, uid: 0 };
    const from = this.sched.current as Task | null;
    return { code: code === 'SI_TKILL' ? SI_TKILL : SI_USER, pid: from?.tgid ?? 0, uid: from?.creds.uid ?? 0 };
  }

  /** Generates a signal for one thread (tgkill, faults, SIGPIPE); wakes it if it sleeps so an interruptible sleep can return. */
  sendSignal(t: Task, signo: number, code = 'SI_USER', si?: SigInfo): void {
    if (t.state === 'exited' || signo === 0) return;
    this.sched.recorder?.write(`t:${t.pid}`);
    const ignored = t.sig.ignored(signo);
    if (this.sched.trace.recording) this.sigTrace.sent(String(t.pid), t.pid, signo, ignored, this.sigTrace.info(signo, code));
    if (ignored) return;
    t.sig.queue(signo, this.sigInfo(code, si), false);
    this.hashNote('signal', t.pid);
    if (signo === SIGKILL || !(t.sig.blocked & bit(signo))) {
      // a lock waiter is not interruptible (lock.ts)
      if (t.state === 'blocked' && !t.waitingLock) this.sched.wake(t, signalName(signo));
    }
  }

  /**
   * Generates a signal for the process of `t` (kill, SIGCHLD): it waits in
   * the process's pending set for any thread that does not block it; `t`
   * is woken if it can take it, else the first thread that can (Linux
   * complete_signal).
   */
  sendProcessSignal(t: Task, signo: number, info?: string, si?: SigInfo): void {
    const threads = t.group.threads;
    const rec = this.sched.recorder;
    // A signal the process ignores changes nothing: it reads the dispositions only (dpor); one it takes writes its threads.
    if (threads.length === 0 || signo === 0) {
      for (const o of threads) rec?.write(`t:${o.pid}`);
      return;
    }
    const first = threads[0];
    // ignored: the disposition says so and the first thread does not block it (sig_ignored)
    rec?.read(sigactKey(first));
    rec?.read(sigmaskKey(first));
    const ignored = first.sig.ignored(signo);
    if (!ignored) for (const o of threads) rec?.write(`t:${o.pid}`);
    if (this.sched.trace.recording) {
      const name = signalName(signo);
      const text = info ? `${name} {si_signo=${name}, si_code=${info}}` : this.sigTrace.info(signo, 'SI_USER');
      this.sigTrace.sent(`g${t.tgid}`, t.group.leader.pid, signo, ignored, text);
    }
    if (ignored) return;
    const b = bit(signo);
    first.sig.queue(signo, this.sigInfo(info === undefined ? 'SI_USER' : 'SI_KERNEL', si), true);
    const wants = (x: Task): boolean => signo === SIGKILL || !(x.sig.blocked & b);
    const target = t.state !== 'exited' && wants(t) ? t : threads.find(wants);
    this.hashNote('signal', (target ?? first).pid);
    if (target && target.state === 'blocked' && !target.waitingLock) this.sched.wake(target, signalName(signo));
  }

  /** Is a deliverable signal pending (an interruptible sleep must end)? */
  signalPending(t: Task): boolean {
    return t.sig.nextDeliverable() !== 0;
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
          this.sched.recorder?.write(sigmaskKey(t));
          t.sig.blocked = t.sig.savedMask;
          t.sig.savedMask = null;
        }
        return true;
      }
      const info = t.sig.take(s);
      if (this.sched.trace.recording) this.sigTrace.delivered(t, s);
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
      if (!t.ctx.enterSignalHandler?.(s, act, t.pendingResult, info)) {
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

  /** Starts recording coverage (tuples and who woke whom) for this run. */
  recordCoverage(): Coverage {
    const c = (this.coverage = new Coverage());
    this.sched.onWake = (by, woken, queue) => {
      const name = (x: { tid: number } | null) => (x ? (this.tasks.get(x.tid)?.name ?? '?') : 'timer');
      c.wake(name(by), name(woken), queue);
    };
    return c;
  }

  newFdTable(): FdTable {
    return new FdTable();
  }
}
