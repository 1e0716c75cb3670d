import type { Rng } from '../rng.ts';
import type { Strategy } from '../strategy.ts';
import type { SimThread } from '../thread.ts';

/** Depth when none is given (`--depth`): finds every bug of depth <= 3 with probability >= 1/(n k^2). */
export const PCT_DEFAULT_DEPTH = 3;

/**
 * Probabilistic Concurrency Testing (Burckhardt et al., ASPLOS 2010): each
 * thread gets a random distinct priority when first seen (all above d); the
 * highest-priority runnable thread runs; at d-1 distinct change points, drawn
 * uniformly from the k choice points of a run, the running thread's priority
 * drops to d-1-i. A bug of depth d is found with probability >= 1/(n k^(d-1)).
 *
 * k must be the run's real length in choice points, not a guess: change
 * points drawn past the end of the run never happen and PCT degenerates to
 * the n! fixed priority orders. The runner measures k with a calibration run
 * (and a sweep raises it to the longest run seen). With --kernel-preempt the
 * kernel's preemption points are choice points too, so they are counted in k
 * and change points fall on them like on syscalls.
 */
/**
 * PCT's two random draws made by hand (bench/bugs/pct-windows.ts enumerates
 * them to get PCT's exact chance on a bug): the priority rank of each task
 * in order of first appearance (larger runs first) and the change points.
 */
export interface PctDraws {
  order: readonly number[];
  changePoints: readonly number[];
}

export class PctStrategy implements Strategy {
  private readonly priority = new Map<number, number>();
  /** choice-point numbers (1-based) at which the running thread's priority drops, in draw order */
  readonly changePoints: readonly number[];
  private choices = 0;
  /** tasks given a priority so far (the index into fixed draws' order) */
  private seen = 0;

  constructor(
    private readonly rng: Rng,
    readonly depth = PCT_DEFAULT_DEPTH,
    /** k: the number of choice points of a run of this scenario */
    readonly choicePoints = 1000,
    /** the draws given instead of drawn from rng */
    private readonly draws: PctDraws | null = null,
  ) {
    if (!Number.isInteger(depth) || depth < 1) throw new Error(`pct depth must be a positive integer (got ${depth})`);
    const k = Math.max(1, Math.floor(choicePoints));
    const points: number[] = draws ? [...draws.changePoints] : [];
    // d-1 distinct points in 1..k (fewer when the run has fewer choice points than that)
    while (!draws && points.length < Math.min(depth - 1, k)) {
      const p = 1 + rng.int(k);
      if (!points.includes(p)) points.push(p);
    }
    this.changePoints = points;
  }

  get describe(): string {
    return `pct(d=${this.depth},k=${this.choicePoints})`;
  }

  pick(runnable: readonly SimThread[], _step = 0): SimThread {
    this.choices++;
    let best = runnable[0];
    let bestPrio = -Infinity;
    for (const t of runnable) {
      let p = this.priority.get(t.tid);
      if (p === undefined) {
        // Distinct random priorities above depth: a random fraction added to a large base.
        p = this.depth + 1 + (this.draws ? (this.draws.order[this.seen] ?? -0.5) : this.rng.next() * 1e6);
        this.seen++;
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
