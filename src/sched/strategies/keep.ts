import type { Strategy } from '../strategy.ts';
import type { SimThread } from '../thread.ts';

/**
 * No preemption: keep running the thread that ran last while it can run,
 * else the lowest tid. Deterministic and draws nothing, so a shrunk
 * schedule can stop its pick list where this rule takes over (`--picks
 * L --strategy keep`).
 */
export class KeepCurrentStrategy implements Strategy {
  readonly describe = 'keep';

  pick(runnable: readonly SimThread[], _step: number, previous?: SimThread | null): SimThread {
    return keepOrLowest(runnable, previous ?? null);
  }
}

/** The rule on its own: `previous` if runnable, else runnable[0] (tid order). */
export function keepOrLowest(runnable: readonly SimThread[], previous: SimThread | null): SimThread {
  if (previous) for (const t of runnable) if (t === previous) return t;
  return runnable[0];
}
