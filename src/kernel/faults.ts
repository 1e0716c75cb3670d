// Fault injection: legal behaviours of Linux that a schedule alone never
// produces, turned on per run so that a strategy can explore them too.
//   spuriousWakeups  a sleeper is woken without its condition (a wake is only
//                    a hint; correct handlers re-check and sleep again)
//   eintr            an interruptible sleep is interrupted, as by a signal
//                    whose handler was installed without SA_RESTART: the
//                    call returns what it has done so far, else EINTR
//   shortIo          a stream or pipe read returns fewer bytes than asked
//                    for and than are queued, as read(2) may
// Each place a fault may happen is a fault point. Under random and pct
// every decision draws from the run's seeded generator, so a run with faults
// replays from its seed and picks like any other. Under dfs the explorer
// makes the decisions (a FaultChooser): fault points are choice points it
// enumerates, each fault taken spending one of a fault budget, as a
// preemption spends the preemption bound; such a run records its decisions
// (RunResult.faultPicks) and replays with --fault-picks.
import type { Rng } from '../sched/rng.ts';

export interface FaultOptions {
  spuriousWakeups?: boolean;
  eintr?: boolean;
  shortIo?: boolean;
}

/** What kind of fault a fault point offers. */
export type FaultKind = 'spurious-wakeup' | 'eintr' | 'short-io';

/**
 * Decides fault points: given the kind and how many alternatives the point
 * has (alternative 0 is always "no fault"), the one taken.
 */
export interface FaultChooser {
  decide(kind: FaultKind, alternatives: number): number;
}

/** How often each fault fires where it may (per choice point, per sleep, per read), when drawn from the seed. */
export const FAULT_RATES = { spuriousWakeup: 0.1, eintr: 0.25, shortIo: 0.5 } as const;

/**
 * A short read under an explorer: alternative 1 returns one byte, 2 all but
 * one. Linux may return any count in between; the two ends are the cases a
 * reader's loop gets wrong (it took only the first byte, or it lost the
 * last), and enumerating every length would multiply the space by the read size.
 */
const SHORT_READ_ALTERNATIVES = 3;

export class FaultInjector {
  /** the decisions made at fault points, in order (recorded only when a chooser decides) */
  readonly decisions: number[] = [];

  constructor(
    readonly options: FaultOptions,
    private readonly rng: Rng,
    /** when set, decides every fault point instead of the generator (dfs, or a --fault-picks replay) */
    private readonly chooser: FaultChooser | null = null,
  ) {}

  get any(): boolean {
    return !!(this.options.spuriousWakeups || this.options.eintr || this.options.shortIo);
  }

  /** Is every fault point decided by a chooser (not drawn from the seed)? */
  get chosen(): boolean {
    return this.chooser !== null;
  }

  private decide(kind: FaultKind, alternatives: number): number {
    const d = this.chooser!.decide(kind, alternatives);
    this.decisions.push(d);
    return d;
  }

  /** Should an interruptible sleep that is about to start be interrupted instead? */
  interruptSleep(): boolean {
    if (!this.options.eintr) return false;
    if (this.chooser) return this.decide('eintr', 2) === 1;
    return this.rng.next() < FAULT_RATES.eintr;
  }

  /** How many of `want` bytes a stream or pipe read may copy this time (always at least 1). */
  shortRead(want: number): number {
    if (!this.options.shortIo || want <= 1) return want;
    if (this.chooser) {
      const d = this.decide('short-io', want === 2 ? 2 : SHORT_READ_ALTERNATIVES);
      return d === 0 ? want : d === 1 ? 1 : want - 1;
    }
    if (this.rng.next() >= FAULT_RATES.shortIo) return want;
    return 1 + this.rng.int(want - 1);
  }

  /** Index of a blocked thread to wake spuriously at this choice point, or -1. */
  spuriousWake(blocked: number): number {
    if (!this.options.spuriousWakeups || blocked === 0) return -1;
    if (this.chooser) return this.decide('spurious-wakeup', blocked + 1) - 1;
    if (this.rng.next() >= FAULT_RATES.spuriousWakeup) return -1;
    return this.rng.int(blocked);
  }
}

/** Replays recorded fault decisions (--fault-picks); past the end of the list, no fault. */
export class ReplayFaults implements FaultChooser {
  private next = 0;
  constructor(private readonly picks: readonly number[]) {}

  decide(_kind: FaultKind, alternatives: number): number {
    const d = this.picks[this.next++] ?? 0;
    return d < alternatives ? d : 0;
  }
}

/** The flags' names, for the command line and replay commands. */
export function faultFlags(f: FaultOptions | undefined): string[] {
  const out: string[] = [];
  if (f?.spuriousWakeups) out.push('--spurious-wakeups');
  if (f?.eintr) out.push('--eintr');
  if (f?.shortIo) out.push('--short-io');
  return out;
}
