// Per-process signal state: dispositions, the pending and blocked sets,
// and Linux's default actions. Delivery happens on the return to user mode
// (Task.returnToUser); a signal sent to a sleeping task wakes it so that an
// interruptible sleep can return EINTR.
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
}

/**
 * One task's signal state. `actions` is shared by the tasks of a
 * CLONE_SIGHAND group (the same array), `shared` by the threads of a
 * process (CLONE_THREAD); `pending` (tgkill, faults) and `blocked` are the
 * thread's own.
 */
export class SignalState {
  readonly actions: SigAction[];
  readonly shared: SharedPending;
  /** pending signals sent to this thread, bit n-1 for signal n */
  pending = 0n;
  blocked = 0n;
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
    this.shared = shared ?? { pending: 0n };
  }

  /** A copy for fork (dispositions and mask are inherited; pending is not). */
  clone(): SignalState {
    const s = new SignalState();
    for (let i = 0; i <= NSIG; i++) s.actions[i] = { ...this.actions[i] };
    s.blocked = this.blocked;
    return s;
  }

  /** Would this signal be discarded at generation time (ignored and not blocked)? */
  ignored(signo: number): boolean {
    if (signo === SIGKILL) return false;
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

  /** Dequeues a signal: from the thread's own set first, else from the process's (Linux dequeue_signal). */
  take(signo: number): void {
    const b = bit(signo);
    if (this.pending & b) this.pending &= ~b;
    else this.shared.pending &= ~b;
  }

  /** Drops a signal from both sets (it became ignored). */
  discard(signo: number): void {
    this.pending &= ~bit(signo);
    this.shared.pending &= ~bit(signo);
  }
}

export function bit(signo: number): bigint {
  return 1n << BigInt(signo - 1);
}
