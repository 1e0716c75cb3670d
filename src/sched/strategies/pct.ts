import type { Rng } from '../rng.ts';
import type { Strategy } from '../strategy.ts';
import type { SimThread } from '../thread.ts';

/**
 * Probabilistic Concurrency Testing (Burckhardt et al., ASPLOS 2010): each
 * thread gets a random distinct priority when first seen (all above d); the
 * highest-priority runnable thread runs; at d-1 change points, drawn
 * uniformly from the first k choice points, the running thread's priority
 * drops to d-i. Finds any bug of depth d with probability >= 1/(n k^(d-1)).
 */
export class PctStrategy implements Strategy {
  private readonly priority = new Map<number, number>();
  private readonly changePoints: number[];
  private choices = 0;

  constructor(
    private readonly rng: Rng,
    readonly depth = 3,
    readonly steps = 2000,
  ) {
    this.changePoints = [];
    for (let i = 0; i < depth - 1; i++) this.changePoints.push(1 + rng.int(steps));
  }

  get describe(): string {
    return `pct(d=${this.depth},k=${this.steps})`;
  }

  pick(runnable: readonly SimThread[], _step = 0): SimThread {
    this.choices++;
    let best = runnable[0];
    let bestPrio = -Infinity;
    for (const t of runnable) {
      let p = this.priority.get(t.tid);
      if (p === undefined) {
        // Distinct random priorities above depth: a random fraction added to a large base.
        p = this.depth + 1 + this.rng.next() * 1e6;
        this.priority.set(t.tid, p);
      }
      if (p > bestPrio) {
        bestPrio = p;
        best = t;
      }
    }
    const i = this.changePoints.indexOf(this.choices);
    if (i >= 0) this.priority.set(best.tid, this.depth - 1 - i);
    return best;
  }
}
