// Runs a scenario under a many-run explorer (dfs, dpor, cov) until it has
// covered its space, found a failure, or used up its budget of schedules.
import type { Explorer } from '../sched/explorer.ts';
import { DporExplorer } from '../sched/strategies/dpor.ts';
import { runScenario, type RunOptions, type RunResult } from './runner.ts';
import type { Scenario } from './scenario.ts';

export interface ExploreResult {
  explorer: string;
  /** runs made */
  schedules: number;
  /** every schedule in scope was run (and none failed) */
  exhausted: boolean;
  /** the first failing run, if any */
  failure: RunResult | null;
  /** stopped at maxSchedules before exhausting the space */
  capped: boolean;
}

export interface ExploreOptions extends RunOptions {
  /** stop after this many schedules (default: no limit) */
  maxSchedules?: number;
  /** keep going after a failure (counting them) instead of stopping at the first */
  onRun?: (r: RunResult) => void;
}

export function explore(sc: Scenario, explorer: Explorer, opts: ExploreOptions): ExploreResult {
  if (explorer instanceof DporExplorer && explorer.faultBudget > 0 && opts.spuriousWakeups) {
    throw new Error('dpor does not enumerate spurious wakeups (they change which threads can run before a step): use dfs');
  }
  const max = opts.maxSchedules ?? Infinity;
  let schedules = 0;
  for (;;) {
    if (schedules >= max) return { explorer: explorer.describe, schedules, exhausted: false, failure: null, capped: true };
    const strategy = explorer.next();
    if (!strategy) return { explorer: explorer.describe, schedules, exhausted: explorer.exhausted, failure: null, capped: false };
    const r = runScenario(sc, { ...opts, schedule: strategy });
    schedules++;
    opts.onRun?.(r);
    const failed = r.failures.length > 0 && !abandoned(r);
    explorer.finish({ failed, picks: r.picks, coverage: r.coverage });
    if (failed) return { explorer: explorer.describe, schedules, exhausted: false, failure: r, capped: false };
  }
}

/** A run the explorer cut short on purpose (a sleep-set-blocked dpor run): not a result. */
export function abandoned(r: RunResult): boolean {
  return r.end.kind === 'replay-diverged' && r.end.message.startsWith('abandoned:');
}
