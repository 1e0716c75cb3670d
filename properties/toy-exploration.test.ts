// The explorers against counts and models, on toy programs run through the
// real Scheduler (properties/lib/toy.ts: threads of read/write/add steps on
// shared variables, and a flag to wait for):
//   - dfs runs every interleaving exactly once: on programs whose threads
//     never wait, the multinomial count of them (hand-counted cases first);
//     with a preemption bound P, exactly the interleavings with at most P
//     preemptions (brute-force model), and its counts `distinct`/`upTo` say so;
//   - dpor reaches every Mazurkiewicz trace dfs reaches (every class of
//     runs equal up to swapping commuting steps), never the same trace in
//     two complete runs (sleep sets: Abdulla et al., POPL 2014), and every
//     outcome dfs reaches, in no more runs; bounded, a subset of them that
//     contains the run without preemptions.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DfsExplorer } from '../src/sched/strategies/dfs.ts';
import { DporExplorer } from '../src/sched/strategies/dpor.ts';
import { KeepCurrentStrategy } from '../src/sched/strategies/keep.ts';
import { RandomStrategy } from '../src/sched/strategies/random.ts';
import { Rng } from '../src/sched/rng.ts';
import { propertyRuns } from './lib/profile.ts';
import { abandonedToy, exploreToy, runToy, stepOrder, toyProgramArb, toyStraightArb, traceKey, type ToyProgram } from './lib/toy.ts';

const SEED = 20_261_216;

/** Every interleaving of straight-line threads with `len[i]` steps, with its preemption count. */
function interleavings(len: number[]): { order: string; preemptions: number }[] {
  const out: { order: string; preemptions: number }[] = [];
  const done = len.map(() => 0);
  const walk = (order: string[], last: number | null, pre: number) => {
    const live = len.map((_, i) => i).filter((i) => done[i] < len[i]);
    if (live.length === 0) return void out.push({ order: order.join(' '), preemptions: pre });
    for (const i of live) {
      // a switch away from a thread that can still run is a preemption (a choice point needs two runnable)
      const p = live.length > 1 && last !== null && last !== i && live.includes(last) ? 1 : 0;
      order.push(`${i + 1}.${done[i]++}`);
      walk(order, i, pre + p);
      order.pop();
      done[i]--;
    }
  };
  walk([], null, 0);
  return out;
}

const straight = (len: number[]): ToyProgram => len.map((n) => Array.from({ length: n }, () => ({ k: 'a' as const, v: 'x' as const })));

describe('dfs on toy programs', () => {
  it('runs each interleaving once: hand-counted cases', () => {
    // (2,2): C(4,2) = 6; (1,1,1): 3! = 6; (2,1,1): 4!/2! = 12; (3,1): 4
    for (const [len, count] of [[[2, 2], 6], [[1, 1, 1], 6], [[2, 1, 1], 12], [[3, 1], 4]] as const) {
      const x = new DfsExplorer();
      const runs = exploreToy(straight([...len]), x);
      expect(runs.length, `threads of ${len} steps`).toBe(count);
      expect(new Set(runs.map(stepOrder)).size).toBe(count);
      expect(x.exhausted).toBe(true);
      expect(x.distinct).toBe(count);
    }
    // without preemptions, two threads of two steps run one after the other: 2 schedules; with one, also A B A-style: 4 more
    const once = new DfsExplorer(1);
    exploreToy(straight([2, 2]), once);
    expect(once.upTo).toEqual([2, 2 + 2]);
  });

  it('with a preemption bound P, runs exactly the interleavings with at most P preemptions', () => {
    fc.assert(
      fc.property(toyStraightArb, fc.integer({ min: 0, max: 2 }), (prog, bound) => {
        const len = prog.map((ops) => ops.length);
        const model = interleavings(len);
        const x = new DfsExplorer(bound);
        const runs = exploreToy(prog, x);
        expect(x.exhausted).toBe(true);
        const want = new Set(model.filter((m) => m.preemptions <= bound).map((m) => m.order));
        expect(new Set(runs.map(stepOrder))).toEqual(want);
        expect(x.distinct).toBe(want.size);
        for (let b = 0; b <= bound; b++) expect(x.upTo[b], `upTo[${b}]`).toBe(model.filter((m) => m.preemptions <= b).length);
        const all = new DfsExplorer();
        const every = exploreToy(prog, all);
        expect(every.length).toBe(model.length);
        expect(new Set(every.map(stepOrder))).toEqual(new Set(model.map((m) => m.order)));
      }),
      { numRuns: propertyRuns(40), seed: SEED },
    );
  });
});

describe('dpor on toy programs', () => {
  it('reaches every trace and outcome dfs reaches, no trace twice, in no more runs; random runs reach nothing dfs missed', () => {
    fc.assert(
      fc.property(toyProgramArb, fc.integer(), (prog, seed) => {
        const dfs = exploreToy(prog, new DfsExplorer());
        expect(new Set(dfs.map((r) => r.picks.join())).size, 'dfs ran a pick list twice').toBe(dfs.length);
        const dx = new DporExplorer();
        const dpor = exploreToy(prog, dx);
        expect(dx.exhausted).toBe(true);
        expect(dpor.length).toBeLessThanOrEqual(dfs.length);
        const complete = dpor.filter((r) => !abandonedToy(r));
        expect(dpor.length - complete.length).toBe(dx.sleepBlocked);
        const keys = complete.map(traceKey);
        expect(new Set(keys)).toEqual(new Set(dfs.map(traceKey)));
        expect(new Set(keys).size, 'two complete dpor runs of the same trace').toBe(keys.length);
        expect(new Set(complete.map((r) => r.outcome))).toEqual(new Set(dfs.map((r) => r.outcome)));
        const outcomes = new Set(dfs.map((r) => r.outcome));
        for (let s = seed; s < seed + 3; s++) expect(outcomes).toContain(runToy(prog, new RandomStrategy(new Rng(s))).outcome);
      }),
      {
        numRuns: propertyRuns(60),
        seed: SEED,
        // a run whose only runnable thread sleeps (no choice point, so pick never sees it) is abandoned there,
        // else it repeats a trace: wait / post / w y, thread 3 asleep after the wait's wake
        examples: [
          [[[{ k: 'wait' }], [{ k: 'post' }], [{ k: 'w', v: 'y' }]], 0],
          // 4 traces (r x before, between or after the two adds, which commute). The race of r x with
          // thread 3's add is reversed past thread 2's a y: its initials are the steps of that sequence
          // that no earlier one happens before (threads 2 and 3). Counting any other step as an initial
          // lets the check "an initial is already scheduled here" skip the reversal, and a trace is lost.
          [[[{ k: 'r', v: 'x' }], [{ k: 'a', v: 'y' }, { k: 'a', v: 'x' }], [{ k: 'a', v: 'x' }]], 0],
        ],
      },
    );
  });

  it('bounded, reaches a subset of the outcomes that contains the run without preemptions', () => {
    fc.assert(
      fc.property(toyProgramArb, fc.integer({ min: 0, max: 1 }), (prog, bound) => {
        const outcomes = new Set(exploreToy(prog, new DfsExplorer()).map((r) => r.outcome));
        const bounded = exploreToy(prog, new DporExplorer(bound)).filter((r) => !abandonedToy(r));
        for (const r of bounded) expect(outcomes).toContain(r.outcome);
        const seen = new Set(bounded.map((r) => r.outcome));
        expect(seen).toContain(runToy(prog, new KeepCurrentStrategy()).outcome);
      }),
      { numRuns: propertyRuns(40), seed: SEED },
    );
  });
});
