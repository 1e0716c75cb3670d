// The coverage-guided explorer (src/sched/strategies/cov.ts) against what
// it is defined to do:
//   - its corpus keeps the pick list of exactly the runs that reached a
//     coverage item no earlier run reached, oldest first, and `seen` is
//     every item reached;
//   - a run follows its pick list as preferences: it always picks a
//     runnable thread (never diverges), and the same seed makes the same runs;
//   - about a fifth of the runs start fresh; the others replay one
//     mutation of a corpus entry (flip one pick, move one context switch by
//     one choice point, or splice the prefix of one entry onto the rest of
//     another), so their pick lists stay that close to an entry: a flip
//     always names another thread of the entry (or, for an entry of one
//     thread, cuts it there), a move shifts the first switch at or after a
//     uniform point either way, a splice's rest starts at a uniform point
//     of the other entry, and past its list a run picks at random;
//   - on toy programs it reaches every reads-from outcome dfs reaches.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Rng } from '../src/sched/rng.ts';
import { CovExplorer } from '../src/sched/strategies/cov.ts';
import { DfsExplorer } from '../src/sched/strategies/dfs.ts';
import type { SimThread } from '../src/sched/thread.ts';
import { propertyRuns } from './lib/profile.ts';
import { exploreToy, runToy, toyStraightArb } from './lib/toy.ts';

const SEED = 20_261_219;
const POOL = [1, 2, 3].map((tid) => ({ tid, label: `t${tid}`, state: 'runnable', waitingOn: null, wakePending: false, step: () => 0 }) as SimThread);

/** The pick lists one mutation of `a` (against a corpus of `a` alone) can start with, as a test. */
function closeTo(a: number[], got: number[]): boolean {
  const n = a.length;
  const g = got.slice(0, n);
  const diff = g.filter((t, i) => t !== a[i]).length;
  if (diff <= 1) return true; // unchanged, a flip, or a moved switch (one pick changed)
  // a splice of a with itself: a[0..i) + a[j..] (then picks at random)
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= n; j++) {
      const s = [...a.slice(0, i), ...a.slice(j)];
      if (s.every((t, k) => g[k] === t)) return true;
    }
  }
  return false;
}

describe('cov', () => {
  it('keeps exactly the runs that reached something new; follows pick lists as preferences; the same seed makes the same runs', () => {
    fc.assert(
      fc.property(toyStraightArb, fc.integer(), (prog, seed) => {
        const go = () => {
          const x = new CovExplorer(new Rng(seed));
          const seen = new Set<string>();
          const corpus: number[][] = [];
          const picks: string[] = [];
          for (let i = 0; i < 15; i++) {
            const r = runToy(prog, x.next());
            if (r.end.kind !== 'exited') throw new Error(`a preference diverged: ${r.end.kind}`);
            // coverage: which values each thread read, as reads-from items
            const coverage = new Set(JSON.parse(r.outcome)[1].flatMap((seenBy: number[], t: number) => seenBy.map((v, k) => `${t}.${k}=${v}`)) as string[]);
            if ([...coverage].some((c) => !seen.has(c))) corpus.push([...r.picks]);
            for (const c of coverage) seen.add(c);
            x.finish({ failed: false, picks: r.picks, coverage });
            picks.push(r.picks.join());
          }
          expect(x.corpus).toEqual(corpus);
          expect(x.seen).toEqual(seen);
          expect(x.exhausted).toBe(false);
          expect([x.describe, x.next().describe]).toEqual(['cov', 'cov']); // sweeps print it
          return picks;
        };
        expect(go()).toEqual(go());
      }),
      { numRuns: propertyRuns(15), seed: SEED },
    );
  });

  it('starts about a fifth of its runs fresh, the others from a mutation of a corpus entry', () => {
    // an entry of one pick has no mutation but itself: a run from it picks thread 2 first, a fresh run any of three
    const x = new CovExplorer(new Rng('cov share'));
    x.corpus.push([2]);
    let first2 = 0;
    const n = 1500;
    let second1 = 0;
    for (let r = 0; r < n; r++) {
      const s = x.next();
      if (s.pick(POOL, 0).tid === 2) first2++;
      if (s.pick(POOL, 1).tid === 1) second1++;
    }
    // 4/5 + 1/5 * 1/3 = 0.867 expected (one standard deviation is 0.009)
    expect(first2 / n, `${first2} of ${n} runs picked the entry's thread first`).toBeGreaterThan(0.83);
    expect(first2 / n).toBeLessThan(0.9);
    // past its pick list a run picks at random: thread 1 a third of the time (sd 0.012)
    expect(second1 / n, `${second1} of ${n} runs picked thread 1 second`).toBeGreaterThan(0.28);
    expect(second1 / n).toBeLessThan(0.39);
  });

  it('a mutated run starts with a prefix of a corpus entry and changes at most one pick before a splice point', () => {
    const a = [1, 1, 2, 2, 2, 3, 3, 1, 1, 1, 2, 3, 3, 3, 1, 2, 2, 1, 3, 3];
    const x = new CovExplorer(new Rng('cov mutations'));
    x.corpus.push(a);
    let close = 0;
    const n = 600;
    for (let r = 0; r < n; r++) {
      const s = x.next();
      const got = Array.from({ length: a.length }, (_, i) => s.pick(POOL, i).tid);
      if (closeTo(a, got)) close++;
    }
    // every mutation of a stays close to it; a fresh run (a fifth) is close only when it happens to match a splice
    expect(close / n, `${close} of ${n} close to the corpus entry`).toBeGreaterThan(0.8);
  });

  it('its mutations change the entry: flips anywhere, splices that shift it, and few copies', () => {
    // runs of one thread, so that a move (which shifts a context switch) can only change a switch's neighbour
    const a = [1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 1, 1, 1, 1, 2, 2, 2, 2];
    const x = new CovExplorer(new Rng('cov operators'));
    x.corpus.push(a);
    const n = 1200;
    let same = 0, interior = 0, shifted = 0, atSwitch = 0, earlier = 0, later = 0, lastSwitch = 0;
    for (let r = 0; r < n; r++) {
      const s = x.next();
      const got = Array.from({ length: a.length }, (_, i) => s.pick(POOL, i).tid);
      const diff = got.map((t, i) => (t !== a[i] ? i : -1)).filter((i) => i >= 0);
      if (diff.length === 0) same++;
      else if (diff.length === 1) {
        const i = diff[0];
        const nearSwitch = (i > 0 && a[i - 1] !== a[i]) || (i + 1 < a.length && a[i + 1] !== a[i]);
        if (nearSwitch) atSwitch++;
        else interior++; // only a flip changes one pick inside a run of one thread
        // a switch moved one choice point earlier (the pick before it becomes the next run's thread) or later
        if (i + 1 < a.length && a[i + 1] !== a[i] && got[i] === a[i + 1]) {
          earlier++;
          if (i === 15) lastSwitch++;
        }
        if (i > 0 && a[i - 1] !== a[i] && got[i] === a[i - 1]) {
          later++;
          if (i === 16) lastSwitch++;
        }
        expect(a, 'a changed pick names a thread of the entry').toContain(got[i]);
      } else {
        // a splice of the entry with itself: a[0..i) + a[j..], j != i, where i is the first pick that differs
        const i = diff[0];
        for (let j = 0; j <= a.length; j++) {
          if (j === i) continue;
          const rest = a.slice(j, j + a.length - i);
          if (rest.length >= 4 && rest.every((t, k) => got[i + k] === t)) {
            shifted++;
            break;
          }
        }
      }
    }
    const what = `${same} unchanged, ${interior} flips inside a run, ${atSwitch} at a switch (${earlier} earlier, ${later} later, ${lastSwitch} at the last), ${shifted} shifted, of ${n}`;
    // each operator a third of the four fifths that mutate: a flip lands inside a run 8 times in 20.
    // A flip always names another thread; only a move from past the last switch (3 in 20 moves) and a
    // splice at its own point leave the entry as it was: about 0.06
    expect(same / n, what).toBeLessThan(0.1);
    // moves go either way, equally; the switch moved is the first at or after a uniform point, so the
    // last switch (at 16) moves for 4 of 20 points (0.053 of runs, with flips there 0.067)
    expect(earlier / n, what).toBeGreaterThan(0.08);
    expect(later / n, what).toBeGreaterThan(0.08);
    expect(lastSwitch / n, what).toBeGreaterThan(0.04);
    expect(interior / n, what).toBeGreaterThan(0.05);
    expect(atSwitch / n, what).toBeGreaterThan(0.15);
    expect(shifted / n, what).toBeGreaterThan(0.1);
  });

  it('a move of a switch that would leave the list, or from past the last switch, leaves the entry as it was', () => {
    // [1,1,1,1,2]: every move finds the switch at the last pick; moved later it would leave the list, so half
    // the moves (0.8/3 * 1/2 of runs) and the splices at their own point (0.8/3 * 1/6) copy it: about 0.18.
    // [1,2,2,2,2,2,2,2]: a move from points 2..7 finds no switch and copies it (0.8/3 * 3/4), with those
    // splices (3.6 of 9 split points keep it) 0.8/3 * (3/4 + 0.45) = 0.32
    const unchanged = (a: number[], name: string, n: number) => {
      const x = new CovExplorer(new Rng(name));
      x.corpus.push(a);
      let same = 0;
      for (let r = 0; r < n; r++) {
        const s = x.next();
        if (a.every((t, i) => s.pick(POOL, i).tid === t)) same++;
      }
      return same / n;
    };
    expect(unchanged([1, 1, 1, 1, 2], 'cov last switch', 1200)).toBeGreaterThan(0.13); // sd 0.011; 0.06 if it left the list
    // 0.32 (sd 0.0085); 0.25 if the list's end counted as a switch (its last pick then random half the time)
    expect(unchanged([1, 2, 2, 2, 2, 2, 2, 2], 'cov past the switch', 3000)).toBeGreaterThan(0.286);
  });

  it('a flip or a move of an entry of two threads never names a third', () => {
    // flips pick among the entry's threads and moves copy a neighbour: a run that differs from the entry at one pick names one of them
    const a = [1, 1, 1, 2, 2, 2, 1, 1, 1, 2, 2, 2];
    const x = new CovExplorer(new Rng('cov two threads'));
    x.corpus.push(a);
    let single = 0;
    for (let r = 0; r < 1200; r++) {
      const s = x.next();
      const got = Array.from({ length: a.length }, (_, i) => s.pick(POOL, i).tid);
      const diff = got.map((t, i) => (t !== a[i] ? i : -1)).filter((i) => i >= 0);
      // (a splice that drops picks leaves a random tail; one that drops a whole period of 6 keeps the rest aligned: only the first 6 are checked)
      if (diff.length !== 1 || diff[0] >= 6) continue;
      single++;
      expect(got[diff[0]], `pick ${diff[0]} of ${got}`).not.toBe(3);
    }
    expect(single).toBeGreaterThan(100);
  });

  it('a flip of an entry that names one thread cuts it there, and the run goes on at random', () => {
    // no other thread of the entry to flip to: the run follows the entry up to the flip point, then picks at random
    const x = new CovExplorer(new Rng('cov one thread'));
    x.corpus.push([1, 1, 1, 1, 1, 1, 1, 1]);
    let varied = 0;
    const n = 1200;
    for (let r = 0; r < n; r++) {
      const s = x.next();
      const got = Array.from({ length: 8 }, (_, i) => s.pick(POOL, i).tid);
      if (got.filter((t) => t !== 1).length >= 2) varied++;
    }
    // fresh runs, flips (cut at a uniform point) and shortening splices: about half pick another thread twice or more in the first 8
    expect(varied / n, `${varied} of ${n} runs left the entry at two or more picks`).toBeGreaterThan(0.45);
  });

  it('mutates an entry of two picks too (only an entry of one has no mutation)', () => {
    const x = new CovExplorer(new Rng('cov two'));
    x.corpus.push([1, 2]);
    let same = 0;
    for (let r = 0; r < 600; r++) {
      const s = x.next();
      if (s.pick(POOL, 0).tid === 1 && s.pick(POOL, 1).tid === 2) same++;
    }
    // a flip always changes it, a move of its switch half the time, a splice sometimes: about a quarter stay
    expect(same / 600).toBeLessThan(0.5);
  });

  it('splices one entry\'s prefix onto the rest of another', () => {
    const a = [1, 1, 1, 1, 1, 1, 1, 1, 1, 1];
    const b = [2, 3, 2, 3, 2, 3, 2, 3, 2, 3];
    const x = new CovExplorer(new Rng('cov splice'));
    x.corpus.push(a, b);
    let mixed = 0;
    const pieces = new Set<string>();
    for (let r = 0; r < 1500; r++) {
      const s = x.next();
      const got = Array.from({ length: 8 }, (_, i) => s.pick(POOL, i).tid);
      // two or more of a's picks, then three of b's in a row (b alternates 2 and 3, a has only 1)
      const k = got.findIndex((t) => t !== 1);
      const piece = got.slice(k, k + 3).join();
      if (k >= 2 && k <= 5 && (piece === '2,3,2' || piece === '3,2,3')) {
        mixed++;
        pieces.add(piece);
      }
    }
    expect(mixed, 'runs made of a prefix of one entry and the rest of another').toBeGreaterThan(25);
    // the rest starts at a uniform point of the other entry, so on either of its threads
    expect(pieces, 'the other entry\'s rest starts at its odd points too').toEqual(new Set(['2,3,2', '3,2,3']));
  });

  it('a splice\'s rest may start at the other entry\'s last pick (its rest then that pick alone)', () => {
    // Among 256 threads a random pick is rarely a given one, so "1s, then 3, as the first pick that is not 1"
    // comes from one source only: a's prefix spliced onto b = [2, 3] from b's last point, one of b's three
    // (0, 1, 2): 0.8 * 1/2 * 1/3 * 1/2 * 1/3 * 3/4 (a's prefix not empty) = 0.017 of runs. The runs from a
    // that go on at random past its 1s (two in five) pick 3 there 0.0016 of the time.
    const pool = Array.from({ length: 256 }, (_, i) => ({ ...POOL[0], tid: i + 1, label: `t${i + 1}` }) as SimThread);
    const x = new CovExplorer(new Rng('cov splice end'));
    x.corpus.push([1, 1, 1, 1], [2, 3]);
    let lastAlone = 0;
    const n = 2400;
    for (let r = 0; r < n; r++) {
      const s = x.next();
      const got = Array.from({ length: 6 }, (_, i) => s.pick(pool, i).tid);
      const k = got.findIndex((t) => t !== 1);
      if (k >= 1 && got[k] === 3) lastAlone++;
    }
    // 40 expected (sd 6); 4 if the rest never started at b's last pick
    expect(lastAlone, `${lastAlone} of ${n} runs: a prefix of a, then b's last pick`).toBeGreaterThan(20);
  });

  it('reaches every outcome dfs reaches on toy programs', () => {
    fc.assert(
      fc.property(toyStraightArb, (prog) => {
        const want = new Set(exploreToy(prog, new DfsExplorer()).map((r) => r.outcome));
        const x = new CovExplorer(new Rng('cov reach'));
        const got = new Set<string>();
        for (let i = 0; i < 300 && got.size < want.size; i++) {
          const r = runToy(prog, x.next());
          got.add(r.outcome);
          x.finish({ failed: false, picks: r.picks, coverage: new Set([r.outcome]) });
        }
        expect(got).toEqual(want);
      }),
      { numRuns: propertyRuns(20), seed: SEED },
    );
  });
});
