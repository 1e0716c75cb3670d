import { ReplayDivergence, type Strategy } from '../strategy.ts';
import type { SimThread } from '../thread.ts';

/**
 * Follows a recorded list of picks (tids, one per choice point). Fails
 * loudly when the recorded thread is not runnable, or when the program asks
 * for more choices than were recorded, unless `then` continues after the
 * recorded prefix (used to explore from a known schedule prefix).
 */
export class ReplayStrategy implements Strategy {
  private next = 0;

  constructor(
    private readonly picks: readonly number[],
    private readonly then?: Strategy,
  ) {}

  get describe(): string {
    return `replay(${this.picks.length} picks${this.then ? `, then ${this.then.describe}` : ''})`;
  }

  pick(runnable: readonly SimThread[], step: number, previous?: SimThread | null): SimThread {
    if (this.next >= this.picks.length) {
      if (this.then) return this.then.pick(runnable, step, previous);
      throw new ReplayDivergence(
        `replay diverged: the recording has ${this.picks.length} picks but the program needs more (step ${step})`,
      );
    }
    const want = this.picks[this.next];
    const t = runnable.find((r) => r.tid === want);
    if (!t) {
      throw new ReplayDivergence(
        `replay diverged at pick ${this.next} (step ${step}): recorded tid ${want} is not runnable; runnable: ${runnable
          .map((r) => r.tid)
          .join(',')}`,
      );
    }
    this.next++;
    return t;
  }
}
