// Coverage-guided schedule fuzzing. A corpus keeps the pick lists of runs
// that reached a coverage tuple or a who-woke-whom pair no earlier run
// reached (src/kernel/coverage.ts; cf. reads-from fuzzing, Wolff et al.,
// ASPLOS 2024). Each run either starts fresh (random) or replays a mutation
// of a corpus entry and continues at random:
//   flip     one pick becomes another thread
//   move     a context switch moves one choice point earlier or later
//   splice   the prefix of one entry, then the rest of another
// Picks are followed as preferences: where the preferred thread cannot run,
// the run picks at random instead of diverging, so every mutation is a run.
import type { Explorer, ExploredRun } from '../explorer.ts';
import type { Rng } from '../rng.ts';
import type { Strategy } from '../strategy.ts';
import type { SimThread } from '../thread.ts';

/** Share of runs that start fresh instead of mutating the corpus. */
const FRESH = 0.2;

export class CovExplorer implements Explorer {
  readonly describe = 'cov';
  readonly exhausted = false;
  /** pick lists that reached something new, oldest first */
  readonly corpus: number[][] = [];
  /** every tuple and pair reached so far */
  readonly seen = new Set<string>();

  constructor(private readonly rng: Rng) {}

  next(): Strategy {
    if (this.corpus.length === 0 || this.rng.next() < FRESH) return new PreferredPicks([], this.rng.fork('run'));
    return new PreferredPicks(this.mutate(), this.rng.fork('run'));
  }

  finish(run: ExploredRun): void {
    let fresh = false;
    for (const c of run.coverage ?? []) {
      if (!this.seen.has(c)) {
        this.seen.add(c);
        fresh = true;
      }
    }
    if (fresh) this.corpus.push([...run.picks]);
  }

  private mutate(): number[] {
    const pick = () => this.corpus[this.rng.int(this.corpus.length)];
    const a = pick();
    if (a.length < 2) return [...a];
    const tids = [...new Set(a)];
    const i = this.rng.int(a.length);
    switch (this.rng.int(3)) {
      case 0: {
        // flip: another thread at choice point i, and let the rest follow from there
        const others = tids.filter((t) => t !== a[i]);
        if (others.length === 0) return a.slice(0, i);
        return [...a.slice(0, i), others[this.rng.int(others.length)], ...a.slice(i + 1)];
      }
      case 1: {
        // move a preemption: find a switch at or after i and shift it by one choice point
        const out = [...a];
        for (let j = Math.max(1, i); j < out.length; j++) {
          if (out[j] !== out[j - 1]) {
            if (this.rng.next() < 0.5) out[j - 1] = out[j]; // earlier
            else if (j + 1 < out.length) out[j] = out[j - 1]; // later
            return out;
          }
        }
        return out;
      }
      default: {
        const b = pick();
        return [...a.slice(0, i), ...b.slice(this.rng.int(b.length + 1))];
      }
    }
  }
}

/** Follows a pick list where it can, then picks at random. */
class PreferredPicks implements Strategy {
  readonly describe = 'cov';
  private next = 0;

  constructor(
    private readonly picks: readonly number[],
    private readonly rng: Rng,
  ) {}

  pick(runnable: readonly SimThread[]): SimThread {
    const want = this.next < this.picks.length ? this.picks[this.next] : -1;
    this.next++;
    return runnable.find((t) => t.tid === want) ?? runnable[this.rng.int(runnable.length)];
  }
}
