// A strategy picks which runnable thread steps next. It sees only the
// runnable set (in tid order) and its own state; it is consulted only when
// there is a real choice (two or more runnable threads).
import type { Footprint } from './footprint.ts';
import type { SimThread } from './thread.ts';

export interface Strategy {
  /** e.g. "random", "pct(d=3,k=2000)", "replay(42 picks)" */
  readonly describe: string;
  /**
   * `previous` is the thread that ran the last step (null before the first): picking another runnable one preempts it.
   * The runnable list is the scheduler's, reused at the next step: valid only during the call (copy what you keep).
   */
  pick(runnable: readonly SimThread[], step: number, previous?: SimThread | null): SimThread;
  /**
   * Called after every step, choice point or not, with the thread that ran
   * and the runnable set it ran from (valid only during the call); with the
   * step's footprint when the strategy asked for footprints. Exhaustive
   * strategies use it to count preemptions and to compute happens-before.
   */
  observeStep?(ran: SimThread, runnable: readonly SimThread[], footprint: Footprint | null): void;
  /**
   * Decides a fault point (src/kernel/faults.ts) when fault injection is on:
   * the alternative taken, 0 being "no fault". A strategy without it leaves
   * faults to the run's seeded generator; dfs enumerates them.
   */
  fault?(kind: string, alternatives: number): number;
  /** ask the scheduler to record what every step reads and writes (costs time; dpor only) */
  readonly wantsFootprints?: boolean;
}

/** Thrown by replay when the program no longer matches the recorded picks. */
export class ReplayDivergence extends Error {}
