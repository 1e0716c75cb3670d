import type { Strategy } from '../strategy.ts';
import type { SimThread } from '../thread.ts';

/** The runnable thread with the next tid after the last one picked (wrapping). */
export class RoundRobinStrategy implements Strategy {
  readonly describe = 'rr';
  private last = -Infinity;

  pick(runnable: readonly SimThread[], _step = 0): SimThread {
    const next = runnable.find((t) => t.tid > this.last) ?? runnable[0];
    this.last = next.tid;
    return next;
  }
}
