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
  17: 'SIGCHLD', 18: 'SIGCONT', 19: 'SIGSTOP', 23: 'SIGURG', 28: 'SIGWINCH',
};

export function signalName(n: number): string {
  return SIGNAL_NAMES[n] ?? `SIG${n}`;
}

export class SignalState {
  readonly actions: SigAction[] = [];
  /** pending signals, bit n-1 for signal n */
  pending = 0n;
  blocked = 0n;

  constructor() {
    for (let i = 0; i <= NSIG; i++) this.actions.push({ handler: SIG_DFL, flags: 0, mask: 0n, restorer: 0 });
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

  /** The lowest-numbered pending signal that is not blocked, or 0. */
  nextDeliverable(): number {
    if (this.pending === 0n) return 0;
    const ready = this.pending & ~(this.blocked & ~bit(SIGKILL));
    if (ready === 0n) return 0;
    for (let s = 1; s <= NSIG; s++) if (ready & bit(s)) return s;
    return 0;
  }
}

export function bit(signo: number): bigint {
  return 1n << BigInt(signo - 1);
}
