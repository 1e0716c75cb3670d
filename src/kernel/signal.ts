// Per-process signal state: dispositions, the pending and blocked sets,
// and Linux's default actions. Delivery happens on the return to user mode
// (Task.returnToUser); a signal sent to a sleeping task wakes it so that an
// interruptible sleep can return EINTR.
import type { WaitQueue } from '../sched/waitqueue.ts';
import { NSIG, SIGCHLD, SIGCONT, SIGKILL, SIGSTOP, SIGURG, SIGWINCH, SIG_DFL, SIG_IGN } from './abi.ts';

/** A TypeScript signal handler for scripted processes (runs on the host, like a guest handler would). */
export type ScriptSignalHandler = (signo: number) => void;

export interface SigAction {
  /** SIG_DFL (0), SIG_IGN (1), a guest handler address, or a script handler */
  handler: number | ScriptSignalHandler;
  flags: number;
  /** signals blocked while the handler runs (bit n-1 for signal n) */
  mask: bigint;
  restorer: number;
}

export const SA_NOCLDSTOP = 1, SA_NOCLDWAIT = 2, SA_SIGINFO = 4, SA_ONSTACK = 0x08000000,
  SA_RESTART = 0x10000000, SA_NODEFER = 0x40000000, SA_RESETHAND = 0x80000000, SA_RESTORER = 0x04000000;

const IGNORED_BY_DEFAULT = new Set([SIGCHLD, SIGURG, SIGWINCH, SIGCONT]);

export function defaultIgnores(signo: number): boolean {
  return IGNORED_BY_DEFAULT.has(signo) || signo === SIGSTOP; // stopping is not modelled: treated as ignored
}

export const SIGNAL_NAMES: Record<number, string> = {
  1: 'SIGHUP', 2: 'SIGINT', 3: 'SIGQUIT', 4: 'SIGILL', 5: 'SIGTRAP', 6: 'SIGABRT', 7: 'SIGBUS', 8: 'SIGFPE',
  9: 'SIGKILL', 10: 'SIGUSR1', 11: 'SIGSEGV', 12: 'SIGUSR2', 13: 'SIGPIPE', 14: 'SIGALRM', 15: 'SIGTERM',
  16: 'SIGSTKFLT', 17: 'SIGCHLD', 18: 'SIGCONT', 19: 'SIGSTOP', 20: 'SIGTSTP', 21: 'SIGTTIN', 22: 'SIGTTOU',
  23: 'SIGURG', 24: 'SIGXCPU', 25: 'SIGXFSZ', 26: 'SIGVTALRM', 27: 'SIGPROF', 28: 'SIGWINCH', 29: 'SIGIO', 30: 'SIGPWR',
  31: 'SIGSYS',
};

export function signalName(n: number): string {
  return SIGNAL_NAMES[n] ?? `SIG${n}`;
}

/** What the threads of one process share: the signals sent to the process (kill) rather than to a thread. */
export interface SharedPending {
  pending: bigint;
  /** what each pending signal carries */
  info: Map<number, SigInfo>;
  /** signalfd readers of this process (sighand->signalfd_wqh), woken whenever a signal is queued to it or one of its threads */
  signalfdWait?: WaitQueue;
}

/**
 * What a generated signal carries to a handler's siginfo, sigtimedwait and
 * signalfd (kernel_siginfo, the fields this kernel fills in). A standard
 * signal already pending is not queued again, so the first one's stays.
 */
export interface SigInfo {
  /** SI_USER, SI_KERNEL, SI_TKILL, CLD_* for SIGCHLD, POLL_* for SIGIO */
  code: number;
  /** the sender's (or the child's) global pid and uid; 0 from the kernel */
  pid: number;
  uid: number;
  /** SIGCHLD: the exit status or the signal that killed it */
  status?: number;
  /** POLL_* signals: the band and the fd (fcntl's F_SETSIG) */
  band?: number;
  fd?: number;
}

export const SI_USER = 0, SI_KERNEL = 0x80, SI_TKILL = -6;
/** the wake key of a signalfd reader's queue */
const POLLIN = 0x1;
/** SIGCHLD's si_code */
export const CLD_EXITED = 1, CLD_KILLED = 2, CLD_DUMPED = 3;
const KERNEL_INFO: SigInfo = { code: SI_KERNEL, pid: 0, uid: 0 };

/**
 * One task's signal state. `actions` is shared by the tasks of a
 * CLONE_SIGHAND group (the same array), `shared` by the threads of a
 * process (CLONE_THREAD); `pending` (tgkill, faults) and `blocked` are the
 * thread's own.
 */
export class SignalState {
  readonly actions: SigAction[];
  readonly shared: SharedPending;
  /** pending signals sent to this thread, bit n-1 for signal n, and what each carries */
  pending = 0n;
  info = new Map<number, SigInfo>();
  blocked = 0n;
  /** the mask a sigtimedwait unblocked its signals from (real_blocked): those still count as blocked for sig_ignored */
  realBlocked = 0n;
  /**
   * The mask to restore after a ppoll/pselect6/epoll_pwait that installed a
   * temporary one (Linux's saved_sigmask with TIF_RESTORE_SIGMASK): restored
   * when the call returns, or, if it was interrupted, after the signal is
   * delivered (a handler frame saves this mask, so sigreturn restores it).
   */
  savedMask: bigint | null = null;

  constructor(actions?: SigAction[], shared?: SharedPending) {
    if (actions) this.actions = actions;
    else {
      this.actions = [];
      for (let i = 0; i <= NSIG; i++) this.actions.push({ handler: SIG_DFL, flags: 0, mask: 0n, restorer: 0 });
    }
    this.shared = shared ?? { pending: 0n, info: new Map() };
  }

  /** A copy for fork (dispositions and mask are inherited; pending is not). */
  clone(): SignalState {
    const s = new SignalState();
    for (let i = 0; i <= NSIG; i++) s.actions[i] = { ...this.actions[i] };
    s.blocked = this.blocked;
    return s;
  }

  /** Would this signal be discarded at generation time (sig_ignored: ignored and not blocked; a blocked one waits, for sigtimedwait or a later handler)? */
  ignored(signo: number): boolean {
    if (signo === SIGKILL) return false;
    if ((this.blocked | this.realBlocked) & bit(signo)) return false;
    const h = this.actions[signo].handler;
    return h === SIG_IGN || (h === SIG_DFL && defaultIgnores(signo));
  }

  /** The lowest-numbered pending signal (the thread's or the process's) that is not blocked, or 0. */
  nextDeliverable(): number {
    // Nothing pending (every return to user mode asks): two comparisons, no BigInt arithmetic.
    if (this.pending === 0n && this.shared.pending === 0n) return 0;
    const all = this.pending | this.shared.pending;
    const ready = all & ~(this.blocked & ~bit(SIGKILL));
    if (ready === 0n) return 0;
    for (let s = 1; s <= NSIG; s++) if (ready & bit(s)) return s;
    return 0;
  }

  /** Makes a signal pending for this thread (or, `shared`, for its process) with what it carries, unless it already is (legacy_queue). */
  queue(signo: number, info: SigInfo, shared: boolean): void {
    const b = bit(signo);
    const set = shared ? this.shared : this;
    if (set.pending & b) return;
    set.pending |= b;
    set.info.set(signo, info);
    this.shared.signalfdWait?.wakeAll(POLLIN); // signalfd_notify
  }

  /** The lowest pending signal of `mask` (the thread's own first, as dequeue_signal), or 0. */
  pendingIn(mask: bigint): number {
    const own = this.pending & mask;
    const any = own !== 0n ? own : this.shared.pending & mask;
    if (any === 0n) return 0;
    for (let n = 1; n <= NSIG; n++) if (any & bit(n)) return n;
    return 0;
  }

  /** Dequeues a signal: from the thread's own set first, else from the process's (Linux dequeue_signal); what it carried. */
  take(signo: number): SigInfo {
    const b = bit(signo);
    const set = this.pending & b ? this : this.shared;
    set.pending &= ~b;
    const info = set.info.get(signo) ?? KERNEL_INFO;
    set.info.delete(signo);
    return info;
  }

  /** Drops a signal from both sets (it became ignored). */
  discard(signo: number): void {
    this.pending &= ~bit(signo);
    this.shared.pending &= ~bit(signo);
    this.info.delete(signo);
    this.shared.info.delete(signo);
  }
}

export function bit(signo: number): bigint {
  return 1n << BigInt(signo - 1);
}

/**
 * The first 48 bytes of a struct siginfo (riscv64) for `info`, as
 * copy_siginfo_to_user lays them out: si_signo, si_errno, si_code, then the
 * union at 16, by kind: _kill/_rt (si_pid, si_uid), _sigchld (si_pid,
 * si_uid, si_status, si_utime, si_stime), _sigpoll (si_band, si_fd).
 * `pid` is the sender's pid as the receiver sees it.
 */
export function siginfoBytes(signo: number, info: SigInfo, pid: number): Uint8Array {
  const b = new Uint8Array(48);
  const dv = new DataView(b.buffer);
  dv.setInt32(0, signo, true);
  dv.setInt32(8, info.code, true);
  if (info.band !== undefined) {
    dv.setBigInt64(16, BigInt(info.band), true);
    dv.setInt32(24, info.fd ?? 0, true);
  } else if (info.code !== SI_KERNEL) {
    dv.setInt32(16, pid, true);
    dv.setUint32(20, info.uid >>> 0, true);
    if (info.status !== undefined) dv.setInt32(24, info.status, true);
  }
  return b;
}
