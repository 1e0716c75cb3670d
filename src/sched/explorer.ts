// Strategies that span many runs: each run gets a fresh single-run Strategy
// from the explorer, and the explorer learns from how the run went before
// choosing the next. Exhaustive search (dfs, dpor) re-executes the program
// from the start with a prefix of picks, because scripts are generators and
// cannot be snapshotted; coverage-guided fuzzing (cov) mutates pick lists.
import type { Strategy } from './strategy.ts';

/** What an explorer learns from a finished run. */
export interface ExploredRun {
  failed: boolean;
  /** the tids picked at each choice point */
  picks: readonly number[];
  /** coverage tuples the run reached (cov) */
  coverage?: ReadonlySet<string>;
}

export interface Explorer {
  /** e.g. "dfs(P=2)", "dpor", "cov" */
  readonly describe: string;
  /** The strategy for the next run, or null when the space is exhausted. */
  next(): Strategy | null;
  /** Tells the explorer how the run it last handed out went. */
  finish(run: ExploredRun): void;
  /** true once next() returned null because every schedule in scope was run */
  readonly exhausted: boolean;
}
