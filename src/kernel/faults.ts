// Fault injection: legal behaviours of Linux that a schedule alone never
// produces, turned on per run so that a strategy can explore them too.
//   spuriousWakeups  a sleeper is woken without its condition (a wake is only
//                    a hint; correct handlers re-check and sleep again)
//   eintr            an interruptible sleep is interrupted, as by a signal
//                    whose handler was installed without SA_RESTART: the
//                    call returns what it has done so far, else EINTR
//   shortIo          a stream or pipe read returns fewer bytes than asked
//                    for and than are queued, as read(2) may
// Every decision draws from the run's seeded generator, so a run with faults
// replays from its seed and picks like any other.
import type { Rng } from '../sched/rng.ts';

export interface FaultOptions {
  spuriousWakeups?: boolean;
  eintr?: boolean;
  shortIo?: boolean;
}

/** How often each fault fires where it may (per choice point, per sleep, per read). */
export const FAULT_RATES = { spuriousWakeup: 0.1, eintr: 0.25, shortIo: 0.5 } as const;

export class FaultInjector {
  constructor(
    readonly options: FaultOptions,
    private readonly rng: Rng,
  ) {}

  get any(): boolean {
    return !!(this.options.spuriousWakeups || this.options.eintr || this.options.shortIo);
  }

  /** Should an interruptible sleep that is about to start be interrupted instead? */
  interruptSleep(): boolean {
    return !!this.options.eintr && this.rng.next() < FAULT_RATES.eintr;
  }

  /** How many of `want` bytes a stream or pipe read may copy this time (always at least 1). */
  shortRead(want: number): number {
    if (!this.options.shortIo || want <= 1 || this.rng.next() >= FAULT_RATES.shortIo) return want;
    return 1 + this.rng.int(want - 1);
  }

  /** Index of a blocked thread to wake spuriously at this choice point, or -1. */
  spuriousWake(blocked: number): number {
    if (!this.options.spuriousWakeups || blocked === 0 || this.rng.next() >= FAULT_RATES.spuriousWakeup) return -1;
    return this.rng.int(blocked);
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
