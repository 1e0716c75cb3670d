import type { Rng } from '../rng.ts';
import type { Strategy } from '../strategy.ts';
import type { SimThread } from '../thread.ts';

/** Uniform choice among runnable threads, from the run's seeded generator. */
export class RandomStrategy implements Strategy {
  readonly describe = 'random';
  constructor(private readonly rng: Rng) {}

  pick(runnable: readonly SimThread[], _step = 0): SimThread {
    return runnable[this.rng.int(runnable.length)];
  }
}
