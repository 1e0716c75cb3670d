// Processes, identity, time and signals: exit, wait4, waitid, clone (as fork),
// get*id, nanosleep and clocks on virtual time, kill, rt_sigaction,
// rt_sigprocmask, sched_yield.
import { processesInGroup } from './pgrp.ts';
import { TICKS_PER_SECOND } from '../../sched/clock.ts';
import { CLOCK_MONOTONIC, CLOCK_REALTIME, NSIG, O_NONBLOCK, SIGCHLD, SIGKILL, SIGSTOP, WNOHANG, WUNTRACED, __WALL, __WCLONE } from '../abi.ts';
import { E2BIG, EAGAIN, EBADF, ECHILD, EFAULT, EINTR, EINVAL, EPERM, ESRCH, ENOSYS } from '../errno.ts';
import { PidFd } from '../pidfd.ts';
import { getLimit, RLIMIT_NPROC } from './misc.ts';
import { readSigmask, withSigmask } from './poll.ts';
import type { Kernel } from '../kernel.ts';
import { childrenKey, sigactKey, sigmaskKey } from '../footprint.ts';
import { bit, type SigAction } from '../signal.ts';
import type { SyscallGen } from '../syscall.ts';
import { WaitQueue } from '../../sched/waitqueue.ts';
import type { Task } from '../task.ts';
import { getI64, getU64, putU32, putU64, StructWriter } from '../uaccess.ts';
import { sleepOn, sleepOnUntil } from '../wait.ts';
import { CLONE_NEWPID, CLONE_NEWUSER, CLONE_NEW_ANY, initIgnores, taskByVpid, vpid } from '../namespaces.ts';
import { copyNamespaces } from './unshare.ts';

const CLOCK_REALTIME_COARSE = 5, CLOCK_MONOTONIC_COARSE = 6, CLOCK_TAI = 11;
/** CLOCK_TAI - CLOCK_REALTIME: the kernel's tai offset, 0 until adjtimex sets it. */
const TAI_OFFSET_SECONDS = 0;

/** CLOCK_REALTIME at virtual time 0: 2026-01-01T00:00:00Z, fixed so runs are reproducible. */
export const REALTIME_EPOCH_SECONDS = 1767225600;

/** CLOCK_REALTIME at virtual time `ticks`, as seconds and nanoseconds. */
export function realtimeOf(ticks: number): [number, number] {
  const sec = Math.floor(ticks / TICKS_PER_SECOND);
  return [REALTIME_EPOCH_SECONDS + sec, ticks - sec * TICKS_PER_SECOND];
}

export const CLONE_VM = 0x100, CLONE_FS = 0x200, CLONE_FILES = 0x400, CLONE_SIGHAND = 0x800, CLONE_PIDFD = 0x1000,
  CLONE_VFORK = 0x4000, CLONE_THREAD = 0x10000, CLONE_NEWNS = 0x20000, CLONE_SYSVSEM = 0x40000, CLONE_SETTLS = 0x80000,
  CLONE_PARENT_SETTID = 0x100000, CLONE_CHILD_CLEARTID = 0x200000, CLONE_DETACHED = 0x400000, CLONE_CHILD_SETTID = 0x01000000;
/** Flags this kernel implements (plus the exit signal in the low byte); ptrace, pidfd, ... are ENOSYS, and CLONE_NEWUSER EINVAL (unshare.ts). */
const CLONE_SUPPORTED = 0xff | CLONE_VM | CLONE_VFORK | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_THREAD | CLONE_SYSVSEM |
  CLONE_SETTLS | CLONE_PARENT_SETTID | CLONE_CHILD_CLEARTID | CLONE_DETACHED | CLONE_CHILD_SETTID | CLONE_NEW_ANY;

/** Linux copy_process's checks of flag combinations: 0 or -EINVAL (before any unsupported flag is refused). */
export function cloneFlagsError(flags: number): number {
  if ((flags & (CLONE_NEWNS | CLONE_FS)) === (CLONE_NEWNS | CLONE_FS)) return -EINVAL;
  if (flags & CLONE_THREAD && !(flags & CLONE_SIGHAND)) return -EINVAL;
  if (flags & CLONE_SIGHAND && !(flags & CLONE_VM)) return -EINVAL;
  if (flags & CLONE_PIDFD && flags & (CLONE_DETACHED | CLONE_THREAD)) return -EINVAL;
  if ((flags & (CLONE_NEWUSER | CLONE_FS)) === (CLONE_NEWUSER | CLONE_FS)) return -EINVAL;
  if (flags & CLONE_THREAD && flags & (CLONE_NEWUSER | CLONE_NEWPID)) return -EINVAL;
  return 0;
}

function writeTimespec(t: Task, addr: number, ticks: number): boolean {
  const sec = Math.floor(ticks / TICKS_PER_SECOND);
  const nsec = ticks - sec * TICKS_PER_SECOND;
  return t.mm.write(addr, new StructWriter(16).u64(0, sec).u64(8, nsec).bytes);
}

/** Reads a timespec as ticks; -EFAULT / -EINVAL on a bad pointer or value. */
function readTimespec(t: Task, addr: number): number {
  const sec = getI64(t.mm, addr);
  const nsec = getI64(t.mm, addr + 8);
  if (sec === null || nsec === null) return -EFAULT;
  if (sec < 0 || nsec < 0 || nsec >= TICKS_PER_SECOND) return -EINVAL;
  return sec * TICKS_PER_SECOND + nsec;
}

function* nanosleep(t: Task, ticks: number, rem: number): SyscallGen {
  const deadline = t.kernel.sched.clock.now + ticks;
  for (;;) {
    const r = yield* sleepOnUntil(t, t.timerQueue, deadline);
    if (r === 1) return 0;
    if (r < 0) {
      if (rem) writeTimespec(t, rem, deadline - t.kernel.sched.clock.now);
      // -ERESTART_RESTARTBLOCK: after a handler the sleep is never restarted, SA_RESTART or not
      return -EINTR;
    }
  }
}

function* wait4(t: Task, upid: number, status: number, options: number): SyscallGen {
  const k = t.kernel;
  const proc = t.group.leader; // any thread waits for the process's children
  // a pid names a child in the caller's pid namespace (-1 when it names none there); 0 the caller's
  // process group, and -pgid that group (a group not visible there: none)
  const pid = upid > 0 ? t.pidNs.global(upid) || -1 : upid;
  const pgid = upid === 0 ? proc.group.pgid : upid < -1 ? t.pidNs.global(-upid) || -1 : null;
  for (;;) {
    k.sched.recorder?.write(childrenKey(proc));
    const candidates = proc.children.filter((c) => (pid <= 0 || c.pid === pid) && (pgid === null || c.group.pgid === pgid));
    if (pid === -1 && upid > 0) return -ECHILD;
    if (candidates.length === 0) return -ECHILD;
    const z = candidates.find((c) => c.zombie);
    if (z) {
      if (status && !putU32(t.mm, status, z.exitStatus)) return -EFAULT;
      k.reap(t, z);
      return vpid(t, z.pid);
    }
    if (options & WNOHANG) return 0;
    const err = yield* sleepOn(t, proc.childExit);
    if (err) return err;
  }
}

export const P_ALL = 0, P_PID = 1, P_PGID = 2, P_PIDFD = 3;
export const WEXITED = 4, WCONTINUED = 8, WNOWAIT = 0x01000000, __WNOTHREAD = 0x20000000;
const CLD_EXITED = 1, CLD_KILLED = 2, CLD_DUMPED = 3;

/**
 * waitid (kernel_waitid): which children a call may report, the pid of its
 * target (0 for any) and its process group (P_PGID: 0 is the caller's), or
 * -errno for a bad idtype, id or pidfd.
 */
function waitidTarget(t: Task, idtype: number, id: number): { pid: number; pgid?: number; nonblock: boolean } | number {
  switch (idtype) {
    case P_ALL:
      return { pid: 0, nonblock: false };
    case P_PID:
      // a pid of the caller's namespace (-1, matching no child, when it names none there)
      return id <= 0 ? -EINVAL : { pid: t.pidNs.global(id) || -1, nonblock: false };
    case P_PGID:
      if (id < 0) return -EINVAL;
      return { pid: 0, pgid: id === 0 ? t.group.pgid : t.pidNs.global(id) || -1, nonblock: false };
    case P_PIDFD: {
      if (id < 0) return -EINVAL;
      const f = t.fds.get(id);
      if (!f || !(f.ops instanceof PidFd)) return -EBADF; // pidfd_get_pid
      // a nonblocking pidfd makes the wait WNOHANG, and "nothing yet" EAGAIN
      return { pid: f.ops.pid, nonblock: (f.flags & O_NONBLOCK) !== 0 };
    }
    default:
      return -EINVAL;
  }
}

/**
 * waitid: like wait4, but the child is described in a siginfo (si_signo
 * SIGCHLD, si_code CLD_EXITED/KILLED/DUMPED, si_pid, si_uid, si_status)
 * and WNOWAIT leaves it waitable. Stopped and continued children are not
 * modelled (nothing stops), so only WEXITED ever reports.
 */
function* waitid(t: Task, idtype: number, id: number, infop: number, options: number): SyscallGen {
  if (options & ~(WNOHANG | WNOWAIT | WEXITED | WUNTRACED | WCONTINUED | __WNOTHREAD | __WCLONE | __WALL)) return -EINVAL;
  if (!(options & (WEXITED | WUNTRACED | WCONTINUED))) return -EINVAL;
  const target = waitidTarget(t, idtype, id);
  if (typeof target === 'number') return target;
  const proc = t.group.leader;
  const nohang = (options & WNOHANG) !== 0 || target.nonblock;
  for (;;) {
    const candidates = proc.children.filter((c) => (target.pid === 0 || c.pid === target.pid) && (target.pgid === undefined || c.group.pgid === target.pgid));
    if (candidates.length === 0) return -ECHILD;
    const z = options & WEXITED ? candidates.find((c) => c.zombie) : undefined;
    if (z) {
      const st = z.exitStatus;
      const sig = st & 0x7f;
      const code = sig === 0 ? CLD_EXITED : st & 0x80 ? CLD_DUMPED : CLD_KILLED;
      if (infop && !writeChildInfo(t, infop, SIGCHLD, code, vpid(t, z.pid), z.creds.uid, sig === 0 ? (st >> 8) & 0xff : sig)) return -EFAULT;
      if (!(options & WNOWAIT)) t.kernel.reap(t, z);
      return 0;
    }
    if (nohang) {
      // nothing to report: 0 with a zeroed siginfo, or EAGAIN through a nonblocking pidfd
      if (target.nonblock) return -EAGAIN;
      if (infop && !writeChildInfo(t, infop, 0, 0, 0, 0, 0)) return -EFAULT;
      return 0;
    }
    const err = yield* sleepOn(t, proc.childExit);
    if (err) return err;
  }
}

/** The fields of a SIGCHLD siginfo that waitid writes (riscv64 layout: the union at offset 16). */
function writeChildInfo(t: Task, infop: number, signo: number, code: number, pid: number, uid: number, status: number): boolean {
  const w = new StructWriter(28).i32(0, signo).i32(4, 0).i32(8, code).i32(16, pid).u32(20, uid).i32(24, status);
  return t.mm.write(infop, w.bytes.subarray(0, 12)) && t.mm.write(infop + 16, w.bytes.subarray(16, 28));
}

/**
 * The parent of a CLONE_VFORK child sleeps until the child execs or exits
 * (Linux wait_for_vfork_done: only a fatal signal ends the wait early;
 * other signals wait for the return to user mode).
 */
function* vforkWait(t: Task, child: Task, nr: number): SyscallGen {
  const v = child.vfork!;
  while (!v.done) {
    if (t.sig.pending & bit(SIGKILL) || t.group.exitStatus !== null) break;
    t.wakePending = false;
    v.queue.add(t.waker);
    try {
      yield v.queue;
    } finally {
      v.queue.remove(t.waker);
    }
  }
  return nr;
}

/**
 * copy_process's limits: RLIMIT_NPROC counts the tasks (threads too) of the
 * caller's real uid, root exempt; threads-max (max_threads, from the memory
 * budget as Linux sizes it from RAM: one task per 8 kernel stacks of memory,
 * at least 20) bounds them all. Either is EAGAIN.
 */
function taskLimitError(t: Task): number {
  const k = t.kernel;
  const maxThreads = Math.max(20, Math.floor(k.memory.limit / (8 * 16384)));
  if (k.tasks.size >= maxThreads) return -EAGAIN;
  if (t.creds.uid === 0) return 0;
  const nproc = getLimit(t, RLIMIT_NPROC)[0];
  let n = 0;
  for (const o of k.tasks.values()) if (o.creds.uid === t.creds.uid) n++;
  return n >= nproc ? -EAGAIN : 0;
}

/** clone and clone3 after their checks: a thread (CLONE_VM) or a forked process. */
function doClone(t: Task, flags: number, newsp: number, ptid: number, tls: number, ctid: number): number | SyscallGen {
  const k = t.kernel;
  if (flags & ~CLONE_SUPPORTED) return -ENOSYS;
  // a thread must share its process's pid namespace (copy_process)
  if (flags & CLONE_THREAD && t.nsproxy.pidForChildren !== t.pidNs) return -EINVAL;
  const limited = taskLimitError(t);
  if (limited) return limited;
  // copy_namespaces: the new namespaces the flags ask for, given to the child's side of the fork
  const saved = t.nsproxy;
  if (flags & CLONE_NEW_ANY) {
    const ns = copyNamespaces(t, flags);
    if (typeof ns === 'number') return ns;
    t.nsproxy = ns;
  }
  try {
    return cloneChild(t, flags, newsp, ptid, tls, ctid);
  } finally {
    t.nsproxy = saved;
  }
}

function cloneChild(t: Task, flags: number, newsp: number, ptid: number, tls: number, ctid: number): number | SyscallGen {
  const k = t.kernel;
  let child: Task;
  if (flags & CLONE_VM) {
    const r = k.cloneVm(t, flags, newsp, flags & CLONE_SETTLS ? tls : null);
    if (typeof r === 'number') return r;
    child = r;
  } else {
    const pid = k.fork(t, flags & (CLONE_FILES | CLONE_FS));
    if (pid < 0) return pid;
    child = k.tasks.get(pid)!;
    if (newsp) child.ctx.setStackPointer?.(newsp);
  }
  // the parent sees the child's number in its own namespace; the child its own (schedule_tail)
  const tid = vpid(t, child.pid);
  if (flags & CLONE_PARENT_SETTID) putU32(t.mm, ptid, tid);
  if (flags & CLONE_CHILD_SETTID) putU32(child.mm, ctid, vpid(child, child.pid));
  if (flags & CLONE_CHILD_CLEARTID) child.clearChildTid = ctid;
  if (flags & CLONE_VFORK) {
    child.vfork = { done: false, queue: new WaitQueue(`vfork of pid ${child.pid}`) };
    return vforkWait(t, child, tid);
  }
  return tid;
}

export function registerProc(k: Kernel): void {
  const d = k.table.define.bind(k.table);

  d(93, 'exit', ['int'], (t, [code]) => {
    k.exitThread(t, (code & 0xff) << 8);
    return 0;
  });
  d(94, 'exit_group', ['int'], (t, [code]) => {
    k.exitTask(t, (code & 0xff) << 8);
    return 0;
  });
  d(260, 'wait4', ['int', 'ptr', 'hex', 'ptr'], (t, [pid, status, options]) => {
    // kernel_wait4's mask: WNOWAIT and WEXITED belong to waitid only
    if (options & ~(WNOHANG | WUNTRACED | WCONTINUED | __WALL | __WCLONE | __WNOTHREAD)) return -EINVAL;
    return wait4(t, pid, status, options);
  });
  d(95, 'waitid', ['int', 'int', 'ptr', 'hex', 'ptr'], (t, [idtype, id, infop, options]) => waitid(t, idtype, id, infop, options));
  d(220, 'clone', ['hex', 'ptr', 'ptr', 'ptr', 'ptr'], (t, [flags, newsp, ptid, tls, ctid]) => {
    const bad = cloneFlagsError(flags);
    if (bad) return bad;
    return doClone(t, flags, newsp, ptid, tls, ctid);
  });
  d(435, 'clone3', ['ptr', 'size'], (t, [uargs, size]) => {
    // struct clone_args: flags, pidfd, child_tid, parent_tid, exit_signal, stack, stack_size, tls, set_tid, set_tid_size, cgroup
    if (size < 64 || size > 4096) return -EINVAL;
    const f: number[] = [];
    for (let i = 0; i < 8; i++) {
      const v = getU64(t.mm, uargs + 8 * i);
      if (v === null) return -EFAULT;
      f.push(v);
    }
    for (let o = 64; o + 8 <= size; o += 8) {
      const v = getU64(t.mm, uargs + o);
      if (v === null) return -EFAULT;
      if (v !== 0 && o < 88) return -ENOSYS; // set_tid, set_tid_size, cgroup: not modelled
      if (v !== 0 && o >= 88) return -E2BIG; // unknown trailing fields must be zero
    }
    const [flags, , ctid, ptid, exitSignal, stack, stackSize, tls] = f;
    if (flags & 0xff || exitSignal > NSIG) return -EINVAL; // the exit signal has its own field
    if ((stack === 0) !== (stackSize === 0)) return -EINVAL;
    if (flags & CLONE_THREAD && exitSignal) return -EINVAL;
    const bad = cloneFlagsError(flags);
    if (bad) return bad;
    return doClone(t, flags | exitSignal, stack ? stack + stackSize : 0, ptid, tls, ctid);
  });
  // pids as the caller's pid namespace numbers them (task_tgid_vnr ...); a parent outside it is 0
  d(172, 'getpid', [], (t) => vpid(t, t.tgid));
  d(173, 'getppid', [], (t) => vpid(t, t.group.leader.parent?.pid ?? 0));
  d(178, 'gettid', [], (t) => vpid(t, t.pid));
  d(124, 'sched_yield', [], () => 0);
  d(101, 'nanosleep', ['ptr', 'ptr'], (t, [req, rem]) => {
    const ticks = readTimespec(t, req);
    return ticks < 0 ? ticks : nanosleep(t, ticks, rem);
  });
  d(115, 'clock_nanosleep', ['int', 'hex', 'ptr', 'ptr'], (t, [clk, flags, req, rem]) => {
    if (clk !== CLOCK_REALTIME && clk !== CLOCK_MONOTONIC) return -EINVAL;
    const ticks = readTimespec(t, req);
    if (ticks < 0) return ticks;
    const TIMER_ABSTIME = 1;
    const now = t.kernel.sched.clock.now;
    const base = clk === CLOCK_REALTIME ? REALTIME_EPOCH_SECONDS * TICKS_PER_SECOND : 0;
    const rel = flags & TIMER_ABSTIME ? Math.max(0, ticks - base - now) : ticks;
    return nanosleep(t, rel, flags & TIMER_ABSTIME ? 0 : rem);
  });
  d(113, 'clock_gettime', ['int', 'ptr'], (t, [clk, tp]) => {
    const now = k.sched.clock.now;
    let ticks: number;
    // CLOCK_REALTIME_COARSE (glibc's time()) and CLOCK_TAI read the wall clock too
    if (clk === CLOCK_REALTIME || clk === CLOCK_REALTIME_COARSE) ticks = REALTIME_EPOCH_SECONDS * TICKS_PER_SECOND + now;
    else if (clk === CLOCK_TAI) ticks = (REALTIME_EPOCH_SECONDS + TAI_OFFSET_SECONDS) * TICKS_PER_SECOND + now;
    else if (clk >= 1 && clk <= 7) ticks = now; // monotonic, process/thread cputime, boottime...
    else return -EINVAL;
    return writeTimespec(t, tp, ticks) ? 0 : -EFAULT;
  });
  // clock_getres: the high-resolution clocks tick in nanoseconds, the coarse ones once a jiffy (TICK_NSEC at HZ 250)
  d(114, 'clock_getres', ['int', 'ptr'], (t, [clk, tp]) => {
    const COARSE = clk === CLOCK_REALTIME_COARSE || clk === CLOCK_MONOTONIC_COARSE;
    if (!((clk >= 0 && clk <= 9) || clk === CLOCK_TAI)) return -EINVAL;
    if (tp === 0) return 0;
    return writeTimespec(t, tp, COARSE ? TICKS_PER_SECOND / 250 : 1) ? 0 : -EFAULT;
  });
  d(129, 'kill', ['int', 'sig'], (t, [pid, sig]) => {
    if (sig < 0 || sig > NSIG) return -EINVAL;
    // A signal for a process: any of its threads (kill of a thread's tid reaches its process, as on Linux).
    const live = (x: Task | undefined): x is Task => !!x && x.group.threads.length > 0;
    const processes = (): Task[] => k.liveTasks().filter((x) => x.group.leader === x || x.group.leader.state === 'exited' && x.group.threads[0] === x);
    let targets: Task[];
    if (pid > 0) targets = [taskByVpid(t, pid)].filter(live).map((x) => x.group.leader);
    // kill(-1): every process of the caller's pid namespace but its init and the caller (kill_something_info)
    else if (pid === -1) targets = processes().filter((x) => t.pidNs.contains(x.pidNs) && vpid(t, x.tgid) !== 1 && x.tgid !== t.tgid);
    // kill(0) and kill(-pgid): a process group (__kill_pgrp_info: success if any member could be
    // signalled, else the last member's error; ESRCH for a group with no members)
    else {
      const g = pid === 0 ? t.group.pgid : t.pidNs.global(-pid);
      targets = g === 0 ? [] : processesInGroup(k, g);
    }
    // every process (of a group): the set changes at fork and exit (dpor)
    if (pid <= 0) {
      k.sched.recorder?.read('alloc:pid');
      k.sched.recorder?.read('exits');
    }
    if (targets.length === 0) return -ESRCH;
    let sent = false;
    let err = 0;
    for (const target of targets) {
      if (t.creds.euid !== 0 && t.creds.uid !== target.creds.uid && t.creds.euid !== target.creds.uid) {
        err = -EPERM;
        if (pid > 0) return err;
        continue;
      }
      sent = true;
      if (!initIgnores(t, target, sig)) k.sendProcessSignal(target, sig);
    }
    return sent ? 0 : err;
  });
  // tkill: tgkill without the thread group check (musl's raise uses it)
  d(130, 'tkill', ['int', 'sig'], (t, [tid, sig]) => {
    if (sig < 0 || sig > NSIG || tid <= 0) return -EINVAL;
    const target = taskByVpid(t, tid);
    if (!target || target.state === 'exited') return -ESRCH;
    if (t.creds.euid !== 0 && t.creds.uid !== target.creds.uid && t.creds.euid !== target.creds.uid) return -EPERM;
    if (!initIgnores(t, target, sig)) k.sendSignal(target, sig, 'SI_TKILL');
    return 0;
  });
  d(131, 'tgkill', ['int', 'int', 'sig'], (t, [tgid, tid, sig]) => {
    if (sig < 0 || sig > NSIG || tgid <= 0 || tid <= 0) return -EINVAL;
    const target = taskByVpid(t, tid);
    if (!target || target.state === 'exited' || vpid(t, target.tgid) !== tgid) return -ESRCH;
    if (!initIgnores(t, target, sig)) k.sendSignal(target, sig, 'SI_TKILL');
    return 0;
  });
  d(134, 'rt_sigaction', ['sig', 'ptr', 'ptr', 'size'], (t, [sig, act, oact, size]) => {
    if (size !== 8 || sig < 1 || sig > NSIG) return -EINVAL;
    if (act && (sig === SIGKILL || sig === SIGSTOP)) return -EINVAL;
    const cur = t.sig.actions[sig];
    // struct sigaction (riscv64 kernel layout): handler u64, flags u64, [restorer u64 only with SA_RESTORER], mask u64
    let next: SigAction | null = null;
    if (act) {
      const h = getU64(t.mm, act), fl = getU64(t.mm, act + 8), m = getU64(t.mm, act + 16);
      if (h === null || fl === null || m === null) return -EFAULT;
      const mask = t.mm.read(act + 16, 8)!;
      next = { handler: h, flags: fl, mask: new DataView(mask.buffer).getBigUint64(0, true), restorer: 0 };
    }
    if (oact) {
      const h = typeof cur.handler === 'number' ? cur.handler : 0x1000; // a script handler shows as an opaque address
      const w = new StructWriter(24).u64(0, h).u64(8, cur.flags);
      new DataView(w.bytes.buffer).setBigUint64(16, cur.mask, true);
      if (!t.mm.write(oact, w.bytes)) return -EFAULT;
    }
    if (next) {
      t.kernel.sched.recorder?.write(sigactKey(t));
      t.sig.actions[sig] = next;
      if (t.sig.ignored(sig)) for (const o of t.group.threads) o.sig.discard(sig); // setting SIG_IGN discards a pending signal
    }
    return 0;
  });
  d(135, 'rt_sigprocmask', ['int', 'ptr', 'ptr', 'size'], (t, [how, set, oset, size]) => {
    if (size !== 8) return -EINVAL;
    const old = t.sig.blocked;
    if (set) {
      const b = t.mm.read(set, 8);
      if (!b) return -EFAULT;
      const m = new DataView(b.buffer).getBigUint64(0, true) & ~(bit(SIGKILL) | bit(SIGSTOP));
      k.sched.recorder?.write(sigmaskKey(t));
      if (how === 0) t.sig.blocked |= m;
      else if (how === 1) t.sig.blocked &= ~m;
      else if (how === 2) t.sig.blocked = m;
      else return -EINVAL;
    }
    if (oset) {
      const w = new Uint8Array(8);
      new DataView(w.buffer).setBigUint64(0, old, true);
      if (!t.mm.write(oset, w)) return -EFAULT;
    }
    return 0;
  });
  // rt_sigsuspend: wait under a temporary mask until a signal is delivered; always EINTR
  // (ERESTARTNOHAND), and the old mask returns once the handler has run (restore_saved_sigmask).
  d(133, 'rt_sigsuspend', ['ptr', 'size'], (t, [umask, sigsetsize]) => {
    if (sigsetsize !== 8) return -EINVAL;
    const mask = readSigmask(t, umask, sigsetsize);
    if (typeof mask === 'number') return mask;
    if (mask === null) return -EFAULT;
    return withSigmask(t, mask, (function* (): SyscallGen {
      while (!k.signalPending(t)) yield* sleepOn(t, t.timerQueue);
      return -EINTR;
    })());
  });
  d(166, 'umask', ['oct'], (t, [mask]) => {
    const old = t.umask;
    t.umask = mask & 0o777;
    return old;
  });
}
